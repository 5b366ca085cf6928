#!/usr/bin/env bash
# Make sure the Spark tests (pytest -m spark) can run: Java 17 and the `spark` extra (PySpark).
# Idempotent: does nothing when both are there; installs Debian's openjdk-17-jre-headless with
# apt when we are root, and '.[spark]' into the virtualenv of $PY. Otherwise prints what to do
# and exits non-zero (the Spark tests then skip themselves, except under CI, where they fail).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

java_ok() {
  local java=java
  [ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
  command -v "$java" >/dev/null 2>&1 || return 1
  local major
  major=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  [ -n "$major" ] && [ "$major" -ge 17 ]
}

if ! java_ok; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "spark-setup: Java 17 is missing; install it with 'sudo apt-get install openjdk-17-jre-headless'." >&2
    echo "spark-setup: the Spark tests are skipped until then." >&2
    exit 3
  fi
  echo "spark-setup: installing Debian's openjdk-17-jre-headless for the Spark tests..." >&2
  LOG=$(mktemp /tmp/spark-setup.XXXXXX.log)
  # The JRE's post-install step wants the man page folders that slim images leave out.
  mkdir -p /usr/share/man/man1
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; } \
       >"$LOG" 2>&1 || ! java_ok; then
    tail -n 20 "$LOG" >&2
    echo "spark-setup: installing Java 17 failed (log: $LOG); the Spark tests are skipped." >&2
    exit 4
  fi
  rm -f "$LOG"
fi

if ! "$PY" -c "import pyspark, pyarrow" >/dev/null 2>&1; then
  echo "spark-setup: installing the spark extra (PySpark, pyarrow) into $("$PY" -c 'import sys; print(sys.prefix)')..." >&2
  if ! "$PY" -m pip install --quiet -e '.[spark]' >&2; then
    echo "spark-setup: pip install '.[spark]' failed; the Spark tests are skipped." >&2
    exit 5
  fi
fi
echo "spark-setup: $("$PY" -c 'import pyspark; print("PySpark", pyspark.__version__)') on $(java -version 2>&1 | head -n 1) ready." >&2
