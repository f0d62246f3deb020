"""The book model and its rules: no YAML, no Jinja, no I/O."""
