# The developer loop. `just` comes with the dev extra (`pip install -e '.[dev]'`);
# each recipe is one line you can also run by hand (see CONTRIBUTING.md).

venv := ".venv/bin"

# Lint: ruff, formatting, types, and the layer contracts.
lint:
    {{venv}}/ruff check .
    {{venv}}/ruff format --check .
    {{venv}}/mypy
    {{venv}}/lint-imports

# Unit tests only: no services, under a minute.
test-fast:
    {{venv}}/python -m pytest tests/unit -q

# Everything, as CI runs it (installs Dovecot, PostgreSQL and Chromium as root).
test:
    bash scripts/test.sh

# Quick benchmarks (a few minutes); drop --quick for the full sizes.
bench *ARGS="--quick":
    {{venv}}/python bench/run.py {{ARGS}}

# Retake the README's screenshots from the demo snapshot in headless Chromium.
screenshots:
    {{venv}}/python scripts/screenshots.py

# Refresh constraints.txt from the current virtualenv (after changing dependencies).
lock:
    head -2 constraints.txt > constraints.new
    {{venv}}/pip freeze --exclude-editable | grep -v '^darkpool' >> constraints.new
    mv constraints.new constraints.txt
