"""The builder command (Click): parses, prompts, prints; nothing imports it.

`group.py` holds the group (`--lang`) and what several commands share; each command module
registers its commands on it, so importing them here makes the whole command.
"""

import gc

# As mypy does: a command makes many small objects and keeps them (a thousand checked models,
# the modules it imports), and Python's default thresholds made a one-model rebuild collect
# 250 times for nothing (0.08 s of its second). Cycles are still collected, less often.
gc.set_threshold(200_000, 30, 30)

from builder.cli import authoring, build, check, review, serve, workspace  # noqa: E402
from builder.cli.group import main  # noqa: E402

__all__ = ["authoring", "build", "check", "main", "review", "serve", "workspace"]
