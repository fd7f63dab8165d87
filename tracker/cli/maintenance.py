"""backup, restore and check."""

from __future__ import annotations

COMMANDS: list = []
