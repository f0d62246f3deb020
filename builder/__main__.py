"""`python -m builder` runs the same command as the `builder` script."""

from builder.cli import main

main()
