#!/usr/bin/env bash
# Static checks: the import contracts of pyproject.toml ([tool.importlinter]: who may import
# whom) and ruff's lint rules ([tool.ruff]). Exits non-zero when either fails; both always run.
# Arguments go to ruff (e.g. `scripts/lint.sh shop/cart` checks only that folder).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

echo "== Import contracts (lint-imports) =="
"$BIN/lint-imports"
imports_status=$?

echo "== Lint (ruff check) =="
"$BIN/ruff" check "${@:-.}"
ruff_status=$?

[ $imports_status -eq 0 ] && [ $ruff_status -eq 0 ]
