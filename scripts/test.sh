#!/usr/bin/env bash
# The whole test suite: once on SQLite, once on PostgreSQL (started by scripts/postgres.sh).
# Set SKIP_POSTGRES=1 to run only the SQLite pass.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

echo "== Test suite on SQLite =="
env -u DATABASE_URL "$PY" -m pytest "$@"
status=$?

if [ "${SKIP_POSTGRES:-0}" != "1" ]; then
  if url=$(bash scripts/postgres.sh | tail -n 1) && [ -n "$url" ]; then
    echo "== Database tests on PostgreSQL =="
    DATABASE_URL="$url" "$PY" -m pytest -m "not sqlite_only" tests/catalog tests/shop "$@"
    pg_status=$?
    [ $status -eq 0 ] && status=$pg_status
  else
    echo "PostgreSQL could not be started: the PostgreSQL pass did not run." >&2
    [ -n "${CI:-}" ] && status=1
  fi
fi
exit $status
