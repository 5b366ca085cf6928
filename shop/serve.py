"""How ``shop run`` serves: gunicorn with several workers, the way production does; Werkzeug's
development server (reloader, debugger) only behind an explicit ``--debug``.

Neither names its software or version in the ``Server`` header: that is free reconnaissance
for an attacker looking up known holes.
"""

from __future__ import annotations

import gunicorn.http.wsgi
from gunicorn.app.base import BaseApplication
from werkzeug.serving import WSGIRequestHandler

SERVER_NAME = "Backcare"

# gunicorn writes ``Server: gunicorn`` from this module-level name on every response; workers
# are forked from the process that imported this module, so they inherit the change.
gunicorn.http.wsgi.SERVER = SERVER_NAME


class QuietRequestHandler(WSGIRequestHandler):
    """The development server without ``Werkzeug/x.y Python/3.z`` in the ``Server`` header."""

    def version_string(self) -> str:
        return SERVER_NAME


class ShopGunicorn(BaseApplication):
    """gunicorn run from code: each worker builds its own app (its own engine and connections,
    model store and eligibility snapshot) after the fork, so nothing is shared by accident."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # (older gunicorns lack the newer settings)
                self.cfg.set(key, value)

    def load(self):
        from .factory import create_app

        return create_app()


def serve(host: str, port: int, workers: int = 2, threads: int = 32) -> None:
    """gthread workers with enough threads that every connection is picked up at once: the
    app's admission limit (shop.admission) then serves a few and answers the rest 503 with
    ``Retry-After`` in a millisecond, instead of leaving them queued in front of busy threads."""
    ShopGunicorn({
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "backcare-shop",
        "control_socket_disable": True,  # gunicorn 25+: no shared socket in the home folder
    }).run()


def serve_debug(host: str, port: int, reload: bool = True) -> None:
    from werkzeug.serving import run_simple

    from .factory import create_app

    app = create_app()
    app.debug = True
    run_simple(host, port, app, use_reloader=reload, use_debugger=True, threaded=True,
               request_handler=QuietRequestHandler)
