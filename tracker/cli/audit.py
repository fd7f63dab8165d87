"""changes and undo."""

from __future__ import annotations

COMMANDS: list = []
