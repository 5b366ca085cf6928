"""scripts/audit.sh: fails on a known vulnerability, says plainly when the audit could not run.

pip-audit is replaced (``PIP_AUDIT``) by a stand-in that writes the report the real one would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = """
import sys
args = sys.argv[1:]
report, output, status = {report!r}, {output!r}, {status}
if report is not None:
    open(args[args.index("--output") + 1], "w").write(report)
print(output)
sys.exit(status)
"""


def run_audit(tmp_path, report: dict | None, output: str = "", status: int = 0):
    fake = tmp_path / "fake_pip_audit.py"
    fake.write_text(STAND_IN.format(report=None if report is None else json.dumps(report),
                                    output=output, status=status))
    env = {**os.environ, "PIP_AUDIT": f"{sys.executable} {fake}", "PY": sys.executable}
    return subprocess.run(["bash", str(ROOT / "scripts" / "audit.sh")], env=env, capture_output=True,
                          text=True, timeout=60)


def test_a_known_vulnerability_fails_the_audit(tmp_path):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "werkzeug", "version": "2.0.0", "vulns": [{"id": "PYSEC-2023-58", "fix_versions": ["2.2.3"]}]},
    ]}
    result = run_audit(tmp_path, report, status=1)
    assert result.returncode == 1
    assert "werkzeug 2.0.0: PYSEC-2023-58 (fixed in: 2.2.3)" in result.stdout


def test_a_clean_audit_passes_and_says_how_much_it_checked(tmp_path):
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []},
                               {"name": "private", "skip_reason": "Dependency not found on PyPI"}]}
    result = run_audit(tmp_path, report)
    assert result.returncode == 0
    assert "No known vulnerabilities in 1 audited package(s); 1 could not be audited." in result.stdout


@pytest.mark.parametrize(("report", "output", "status"), [
    (None, "pip_audit._service.interface.ServiceError: ConnectionError: Max retries exceeded", 1),
    ({"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited"}]},
     "", 0),
], ids=["unreachable", "answered-for-nothing"])
def test_an_audit_that_could_not_run_passes_with_a_plain_notice(tmp_path, report, output, status):
    result = run_audit(tmp_path, report, output, status)
    assert result.returncode == 0
    assert "NOTICE: the dependency audit did not run" in result.stdout
    assert "No known vulnerabilities" not in result.stdout


def test_a_broken_audit_tool_fails(tmp_path):
    result = run_audit(tmp_path, None, "No module named pip_audit", 1)
    assert result.returncode == 1 and "No module named pip_audit" in result.stdout
