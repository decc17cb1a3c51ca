#!/usr/bin/env bash
# Install everything the tests need, lint, and run the suite.
# Used by the README's second command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests drive for real: Dovecot (IMAP), GNU Mailutils
# imap4d and Cyrus (the other columns of the IMAP server matrix), PostgreSQL
# (the shared store) and Chromium (the site).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  command -v dovecot >/dev/null || need+=(dovecot-imapd)
  command -v imap4d >/dev/null || need+=(mailutils-imap4d)
  command -v chromium >/dev/null || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  # Cyrus conflicts with dovecot-imapd as a package: install only what its
  # binaries need, and unpack cyrus-imapd itself into a private prefix
  # (tests/services/cyrus.py), so apt never removes Dovecot.
  [ -x /usr/lib/cyrus/bin/master ] || need+=(cyrus-common)
  command -v saslpasswd2 >/dev/null || need+=(sasl2-bin)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${need[@]}" >/dev/null
  fi
  cyrus=/opt/darkpool-imap/cyrus
  if [ ! -x "$cyrus/usr/lib/cyrus/bin/imapd" ]; then
    debs=$(mktemp -d)
    (cd "$debs" && apt-get download -qq cyrus-imapd >/dev/null 2>&1)
    mkdir -p "$cyrus"
    dpkg-deb -x "$debs"/cyrus-imapd_*.deb "$cyrus"
    rm -rf "$debs"
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# constraints.txt pins what CI last tested (refresh with `just lock`), so a fresh
# install next year gets the same versions.
.venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'

# Lint: style, formatting, types and the layer contracts (pyproject.toml).
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/python -m pytest "$@"
