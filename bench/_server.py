"""A throw-away shop for the HTTP benchmarks: fresh SQLite instance, demo data, trained model,
gunicorn on 127.0.0.1 on a free port; everything removed afterwards.

Only the benchmark's own temporary instance is touched; nothing in the repository changes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _util import REPO

BIN = Path(sys.executable).parent


def _shop(env: dict, *args: str) -> str:
    shop = BIN / "shop"
    cmd = [str(shop), *args] if shop.exists() else [sys.executable, "-m", "shop.cli", *args]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"shop {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout.strip()


def prepare_instance(stock: int | None = None, log=print) -> tuple[Path, dict]:
    """A temp instance with the demo catalog, articles, demo events and a trained model.

    ``stock``: set every variant's stock to this (a load test that checks out for a minute
    would otherwise sell the demo shop out and measure 409s instead of the shop).
    """
    instance = Path(tempfile.mkdtemp(prefix="backcare-bench-"))
    env = {**os.environ, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-only-secret",
           "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("MODEL_DIR", None)
    steps = [("db", "init"), ("db", "seed-demo"), ("recommender", "seed-demo"), ("recommender", "train")]
    for step in steps:
        out = _shop(env, *step)
        log(f"  shop {' '.join(step)}: {out.splitlines()[0] if out else 'ok'}")
    if stock is not None:
        with contextlib.closing(sqlite3.connect(instance / "shop.db")) as con:
            con.execute("UPDATE variants SET stock = ?", (stock,))
            con.commit()
        log(f"  stock of every variant set to {stock} (bench instance only)")
    return instance, env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server command on 127.0.0.1 (``command()``); a context manager that waits until it
    answers ``/api/categories`` and stops it afterwards. Subclasses only say their command."""

    name = "server"
    startup_seconds = 60.0

    def __init__(self, env: dict, log_path: Path | None = None):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or Path(env["INSTANCE_PATH"]) / f"{self.name}-{self.port}.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    def __enter__(self):
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.command(), cwd=REPO, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/categories", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"{self.name} did not answer within {self.startup_seconds:g} s")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        return False


class Gunicorn(ServerProcess):
    """``gunicorn -w WORKERS APP`` on 127.0.0.1."""

    name = "gunicorn"

    def __init__(self, app: str, env: dict, workers: int = 2, extra_env: dict | None = None,
                 log_path: Path | None = None, args: tuple[str, ...] = ()):
        super().__init__({**env, **(extra_env or {})}, log_path)
        self.app = app
        self.args = tuple(args)
        self.workers = workers

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind",
                f"127.0.0.1:{self.port}", "--timeout", "60", "--pythonpath", str(REPO / "bench"),
                *self.args, self.app]


def remove_instance(instance: Path) -> None:
    shutil.rmtree(instance, ignore_errors=True)
