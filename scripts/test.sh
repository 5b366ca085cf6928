#!/usr/bin/env bash
# The whole test suite: once on SQLite, once on PostgreSQL (started by scripts/postgres.sh).
# Set SKIP_POSTGRES=1 to run only the SQLite pass.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

# The browser tests (tests/e2e) need /usr/bin/chromium: installed when missing and we are root,
# otherwise they are skipped with the reason.
bash scripts/e2e-setup.sh || echo "Chromium is not available: the browser tests will be skipped." >&2

# The Spark tests (pytest -m spark) need Java 17 and the spark extra: installed when missing
# and we can; otherwise they are skipped with the reason, except under CI, which must run them.
spark_status=0
if ! PY="$PY" bash scripts/spark-setup.sh; then
  echo "Spark is not available: the Spark tests (-m spark) will be skipped." >&2
  [ -n "${CI:-}" ] && spark_status=1
fi

# Static checks first (import contracts, ruff): a layering or lint error fails the run.
BIN="$(dirname "$PY")" bash scripts/lint.sh
lint_status=$?

echo "== Test suite on SQLite =="
env -u DATABASE_URL "$PY" -m pytest "$@"
status=$?

if [ "${SKIP_POSTGRES:-0}" != "1" ]; then
  if url=$(bash scripts/postgres.sh | tail -n 1) && [ -n "$url" ]; then
    echo "== Database tests on PostgreSQL =="
    DATABASE_URL="$url" "$PY" -m pytest -m "not sqlite_only and not spark" tests/catalog tests/shop "$@"
    pg_status=$?
    [ $status -eq 0 ] && status=$pg_status
  else
    echo "PostgreSQL could not be started: the PostgreSQL pass did not run." >&2
    [ -n "${CI:-}" ] && status=1
  fi
fi

[ $status -eq 0 ] && status=$lint_status
[ $status -eq 0 ] && status=$spark_status

PY="$PY" bash scripts/audit.sh
audit_status=$?
[ $status -eq 0 ] && status=$audit_status
exit $status
