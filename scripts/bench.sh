#!/usr/bin/env bash
# All benchmarks in order, then the report (docs/benchmarks.md, docs/benchmarks.png).
# Not part of the test suite: timings are measured and reported, never asserted.
#   BENCH_SKIP_QUALITY=1  skip bench/quality.py (the slow one; its last result is still reported)
#   BENCH_ONLY="serving pages"  run only these benches (then the report)
#   SOAK_SECONDS=600  how long bench/soak.py runs (200 users; default 10 minutes)
# OpenBLAS: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set on a machine to pin a kernel for the
# tests, are unset together for the benchmarks so OpenBLAS picks its own kernel; the report
# records which kernel ran (threadpoolctl).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$@"; }
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }

status=0
if want quality; then
  if [ "${BENCH_SKIP_QUALITY:-0}" = "1" ]; then
    echo "== quality: skipped (BENCH_SKIP_QUALITY=1)"
  else
    echo "== quality"; run bench/quality.py --no-progress || status=1
  fi
fi
for bench in serving training pages load burst search; do
  if want "$bench"; then
    echo "== $bench"; run "bench/$bench.py" || status=1
  fi
done
if want soak; then
  echo "== soak (${SOAK_SECONDS:-600} s)"; run bench/soak.py --duration "${SOAK_SECONDS:-600}" || status=1
fi
echo "== report"; run bench/report.py || status=1
exit $status
