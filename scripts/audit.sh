#!/usr/bin/env bash
# Dependency audit: pip-audit over the installed environment (the shop itself, installed
# editable, is skipped). Exits 1 when a known vulnerability is found. When the vulnerability
# service cannot be reached, or answers for no package at all, it says so plainly and exits 0:
# an audit that could not run is reported, never passed off as "no known vulnerabilities".
# PIP_AUDIT overrides the command (the tests use it to play the service's answers).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
report=$(mktemp)
log=$(mktemp)
trap 'rm -f "$report" "$log"' EXIT

echo "== Dependency audit (pip-audit) =="
# shellcheck disable=SC2086  # PIP_AUDIT may be a command with arguments
${PIP_AUDIT:-"$PY" -m pip_audit} --progress-spinner off --skip-editable --local --desc off \
  --format json --output "$report" >"$log" 2>&1
audit_status=$?

"$PY" - "$report" "$log" "$audit_status" <<'PYTHON'
import json
import re
import sys

report_path, log_path, audit_status = sys.argv[1], sys.argv[2], int(sys.argv[3])
log = open(log_path, encoding="utf-8", errors="replace").read()
UNREACHABLE = re.compile(
    r"ConnectionError|ConnectTimeout|ReadTimeout|timed out|Max retries exceeded|Name or service not known|"
    r"Temporary failure in name resolution|Network is unreachable|ServiceError|SSLError|Connection refused",
    re.IGNORECASE)


def notice(reason: str) -> None:
    print(f"NOTICE: the dependency audit did not run: {reason}.")
    print("        No package was checked against the vulnerability database; run scripts/audit.sh "
          "where PyPI's JSON API is reachable.")
    sys.exit(0)


try:
    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
except (OSError, ValueError):
    report = None

if report is None:
    if UNREACHABLE.search(log):
        notice("the vulnerability service could not be reached")
    print(log, end="")
    print(f"pip-audit failed (exit {audit_status}) without a report.", file=sys.stderr)
    sys.exit(audit_status or 1)

dependencies = report.get("dependencies", [])
vulnerable = [d for d in dependencies if d.get("vulns")]
audited = [d for d in dependencies if "skip_reason" not in d]
if vulnerable:
    print(f"{len(vulnerable)} installed package(s) with known vulnerabilities:")
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"  {dep['name']} {dep.get('version', '?')}: {vuln['id']} (fixed in: {fixes})")
    sys.exit(1)
if not audited:
    notice(f"the vulnerability service answered for none of the {len(dependencies)} packages "
           "(unreachable, or PyPI's JSON API is not served here)")
skipped = len(dependencies) - len(audited)
print(f"No known vulnerabilities in {len(audited)} audited package(s)"
      + (f"; {skipped} could not be audited." if skipped else "."))
PYTHON
