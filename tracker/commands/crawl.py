"""crawl commands (see tracker/cli.py for the shared group and error handling)."""

from __future__ import annotations

COMMANDS: list = []
