"""Small helpers shared by the command modules (no business logic)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping

import click

pass_app = click.make_pass_decorator(object, ensure=False)


def echo_jsonl(rows: Iterable[Mapping[str, object]]) -> int:
    """Write one compact JSON object per line; returns how many were written."""
    count = 0
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    out.flush()
    return count
