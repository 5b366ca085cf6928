"""``shop run`` serves like production: gunicorn, two or more workers, HOST/PORT honoured,
no software or version in the ``Server`` header, and one shop across the workers (sessions,
carts and log-in live in the database, SQLite in WAL mode). Issue 10, findings 8 and 9.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "serving-test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "shop.cli"]
    subprocess.run([*cli, "db", "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*cli, "db", "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    log = open(tmp_path / "server.log", "w+")
    server = subprocess.Popen([*cli, "run"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/categories", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log.seek(0)
                    pytest.fail("the shop did not start:\n" + log.read())
                time.sleep(0.3)
        yield base, tmp_path / "server.log"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def post_json(browser, url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    return browser.open(request, timeout=20)


def test_make_run_serves_with_gunicorn_workers_and_no_version_header(served):
    base, log = served
    with urllib.request.urlopen(base + "/", timeout=20) as response:
        assert response.status == 200
        server = response.headers.get("Server", "")
    assert not re.search(r"werkzeug|python|gunicorn", server, re.IGNORECASE), server
    booted = set(re.findall(r"Booting worker with pid: (\d+)", log.read_text()))
    assert len(booted) >= 2, log.read_text()


def test_one_shop_across_the_workers(served):
    """A log-in made in one worker holds in every other; logout ends it in all of them."""
    base, _ = served
    browser = opener()
    post_json(
        browser, base + "/api/account/register", {"email": "ann@example.com", "password": "correct horse battery"}
    )

    def whoami(_):
        try:
            with browser.open(base + "/api/account", timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(whoami, range(40))) == {200}
    post_json(browser, base + "/api/account/logout", {})
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(whoami, range(20))) == {401}
