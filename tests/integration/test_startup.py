"""What a command loads before it works: `parse` stores nothing, so it never loads the store."""

from __future__ import annotations

import subprocess
import sys

from paths import FIXTURES

PROBE = """
import sys
from click.testing import CliRunner
from tracker.cli import cli
result = CliRunner().invoke(cli, ["parse", "--jsonl", sys.argv[1]])
assert result.exit_code == 0, result.output
print(sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic")))
print(sorted(m for m in sys.modules if m.startswith("tracker.db")))
"""


def test_parse_never_loads_sqlalchemy_or_the_models():
    mail = sorted((FIXTURES / "mail").glob("*.eml"))[0]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(mail)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "[]"]
