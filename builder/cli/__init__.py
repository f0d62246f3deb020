"""The builder command (Click): parses, prompts, prints; nothing imports it.

`group.py` holds the group (`--lang`) and what several commands share; each command module
registers its commands on it, so importing them here makes the whole command.
"""

from builder.cli import authoring, build, check, review, serve, workspace
from builder.cli.group import main

__all__ = ["authoring", "build", "check", "main", "review", "serve", "workspace"]
