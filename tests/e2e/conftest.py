"""End-to-end fixtures: the real shop behind gunicorn on loopback, driven by headless Chromium.

* ``live_server`` (session): a fresh SQLite database in a temporary folder, ``shop db init``,
  the demo catalog, demo events and a trained recommender when the CLI offers those commands
  (``prepare_shop.py``, one subprocess), then gunicorn serving ``wsgi:app`` on 127.0.0.1 on a
  free port; stopped at the end.
* ``page`` (per test): a fresh browser context (no cookies, 1280x900) in Debian's Chromium at
  /usr/bin/chromium, driven by Playwright. No browser is ever downloaded.
* ``shot(step)``: a screenshot written to ``test-artifacts/e2e/<test>-<step>.png``.

Every test here fails when the server answered a 5xx or the page threw a JavaScript error or
violated the Content-Security-Policy while it ran.

When /usr/bin/chromium is missing, ``scripts/e2e-setup.sh`` is tried once (it installs Debian's
package when we are root); if that cannot install it, or Playwright is not installed, the whole
folder is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT = 30


# ------------------------------------------------------------------ can we run at all?


def _unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        setup = ROOT / "scripts" / "e2e-setup.sh"
        result = subprocess.run(["bash", str(setup)], capture_output=True, text=True)
        if result.returncode != 0 or not os.access(CHROMIUM, os.X_OK):
            notice = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return f"{CHROMIUM} is absent and scripts/e2e-setup.sh could not install it ({notice})"
    return None


def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if E2E_DIR in Path(str(item.path)).parents]
    if not mine:
        return
    reason = _unavailable_reason()
    for item in mine:
        item.add_marker(pytest.mark.e2e)
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


# ------------------------------------------------------------------ the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    workdir: Path
    log_path: Path
    access_log: Path
    setup_log: list[str] = field(default_factory=list)
    _access_offset: int = 0

    def new_server_errors(self) -> list[str]:
        """Access-log lines with a 5xx status written since the last call."""
        if not self.access_log.exists():
            return []
        with self.access_log.open("rb") as handle:
            handle.seek(self._access_offset)
            chunk = handle.read().decode("utf-8", "replace")
            self._access_offset = handle.tell()
        return [line for line in chunk.splitlines() if re.search(r'" 5\d\d ', line)]

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no server log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    workdir = tmp_path_factory.mktemp("e2e-shop")
    env = {
        key: value for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "FLASK_APP", "FLASK_DEBUG")
    }  # fmt: skip
    env.update(
        DATABASE_URL="sqlite:///" + str(workdir / "shop.db"),
        INSTANCE_PATH=str(workdir / "instance"),
        MODEL_DIR=str(workdir / "instance" / "models"),
        SECRET_KEY="e2e-secret-key-not-for-production",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),  # this checkout's code, also where the venv's install points elsewhere
    )
    prepared = subprocess.run(
        [sys.executable, str(E2E_DIR / "prepare_shop.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if prepared.returncode != 0:
        pytest.fail(f"preparing the shop's database failed:\n{prepared.stdout}\n{prepared.stderr}", pytrace=False)
    done = [line[2:] for line in prepared.stdout.splitlines() if line.startswith("$ ")]

    port = _free_port()
    log_path, access_log = workdir / "server.log", workdir / "access.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "--timeout", "60", "--graceful-timeout", "5",
             "--access-logfile", str(access_log), "--error-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = LiveServer(f"http://127.0.0.1:{port}", workdir, log_path, access_log, done)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}", pytrace=False)
            try:
                with urllib.request.urlopen(server.url + "/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the shop did not answer on {server.url} within {SERVER_START_TIMEOUT}s:\n{server.log_tail()}",
                    pytrace=False,
                )
            time.sleep(0.2)
        server.new_server_errors()  # start reading the access log from here
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


# ------------------------------------------------------------------ the browser


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    if ARTIFACTS.exists() and "PYTEST_XDIST_WORKER" not in os.environ:  # workers share the folder
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class BrowserProblems:
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def page(browser, live_server, browser_problems, request):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: browser_problems.page_errors.append(str(exc)))

    def on_console(message):
        if message.type != "error":
            return
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            browser_problems.csp_violations.append(text)
        else:
            browser_problems.console_errors.append(text)

    page.on("console", on_console)
    yield page
    report = request.node.stash.get(_report_key, None)
    failed = report is not None and report.failed
    if failed and not page.is_closed():  # what the browser showed when the test failed
        test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name.removeprefix("test_"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{test_name}-FAILED.png"), full_page=True)
    context.close()
    server_errors = live_server.new_server_errors()
    if failed:
        return  # the test's own failure is the story; do not pile on
    problems = []
    if server_errors:
        problems.append("the server answered 5xx:\n  " + "\n  ".join(server_errors) + "\n" + live_server.log_tail())
    if browser_problems.page_errors:
        problems.append("JavaScript errors:\n  " + "\n  ".join(browser_problems.page_errors))
    if browser_problems.csp_violations:
        problems.append("Content-Security-Policy violations:\n  " + "\n  ".join(browser_problems.csp_violations))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


_report_key = pytest.StashKey()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_report_key] = report
    return report


@pytest.fixture
def shot(page, artifacts_dir, request):
    """``shot("cart")`` saves the page as test-artifacts/e2e/<test>-cart.png and returns the path."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name.removeprefix("test_"))

    def take(step: str, *, full_page: bool = False) -> Path:
        path = artifacts_dir / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    return take
