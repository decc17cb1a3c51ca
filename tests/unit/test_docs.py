"""The README and --help stay true: every command documented, the two commands in place."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner
from paths import ROOT

from tracker.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = list(_commands(cli))


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"darkpool {' '.join(path)} --help has no example"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_is_in_the_readme(path):
    assert f"darkpool {' '.join(path)}" in README


def test_readme_opens_with_exactly_the_two_commands():
    first_block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", README, re.S)
    assert first_block is not None
    lines = [ln for ln in first_block.group(1).splitlines() if ln.strip()]
    assert len(lines) == 2
    assert lines[0].endswith("darkpool demo")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert lines[1] in ci, ".ci/run must run the README's test command"


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(cli, ["import", "--no-such-option"])
    assert result.exit_code == 2
