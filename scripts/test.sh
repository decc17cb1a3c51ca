#!/usr/bin/env bash
# Install everything the tests need, lint, and run the suite.
# Used by the README's second command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests drive for real: Dovecot (IMAP), GNU Mailutils
# imap4d, Cyrus and Courier (the other columns of the IMAP server matrix),
# PostgreSQL (the shared store) and Chromium (the site).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  command -v dovecot >/dev/null || need+=(dovecot-imapd)
  command -v imap4d >/dev/null || need+=(mailutils-imap4d)
  command -v chromium >/dev/null || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  # Cyrus and Courier conflict with dovecot-imapd as packages: install only
  # what their binaries need, and unpack cyrus-imapd and courier-imap into a
  # private prefix (tests/services/cyrus.py, courier.py), so apt never
  # removes Dovecot.
  imap=()
  [ -x /usr/lib/cyrus/bin/master ] || imap+=(cyrus-common)
  command -v saslpasswd2 >/dev/null || imap+=(sasl2-bin)
  command -v couriertcpd >/dev/null || imap+=(courier-base)
  command -v authdaemond >/dev/null || imap+=(courier-authlib)
  command -v makeuserdb >/dev/null || imap+=(courier-authlib-userdb)
  if [ ${#need[@]} -gt 0 ] || [ ${#imap[@]} -gt 0 ]; then
    apt-get update -qq
  fi
  if [ ${#need[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ${#imap[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${imap[@]}" >/dev/null
  fi
  for pkg in cyrus-imapd:cyrus:usr/lib/cyrus/bin/imapd courier-imap:courier:usr/bin/imapd; do
    IFS=: read -r name dir binary <<<"$pkg"
    prefix=/opt/darkpool-imap/$dir
    if [ ! -x "$prefix/$binary" ]; then
      debs=$(mktemp -d)
      (cd "$debs" && apt-get download -qq "$name" >/dev/null 2>&1)
      mkdir -p "$prefix"
      dpkg-deb -x "$debs/${name}"_*.deb "$prefix"
      rm -rf "$debs"
    fi
  done
fi

PY=${PYTHON:-python3}
# pymap (a Python IMAP server, the matrix's last column) in a virtualenv of its
# own, so its dependencies never meet darkpool's (tests/services/pymap.py).
if [ "$(id -u)" = 0 ] && [ ! -x /opt/darkpool-imap/pymap/bin/pymap ]; then
  "$PY" -m venv /opt/darkpool-imap/pymap
  /opt/darkpool-imap/pymap/bin/pip install -q 'pymap==0.36.7' >/dev/null
fi
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
