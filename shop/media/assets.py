"""``static_url()``: CSS and JS URLs that carry a hash of the file, so they can be cached for
a year and a deploy still reaches every browser at once (a new file is a new URL)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def current_hash(filename: str) -> str:
    """The content hash of a static file, computed once per process (every time in debug)."""
    hashes = current_app.extensions.setdefault("static_hashes", {})
    if filename not in hashes or current_app.debug:
        path = safe_join(current_app.static_folder, filename)
        if path is None:
            raise FileNotFoundError(filename)
        hashes[filename] = file_hash(Path(path))
    return hashes[filename]


def static_url(filename: str) -> str:
    """The URL of a static file with ``?v=<its content hash>``."""
    return url_for("static", filename=filename, v=current_hash(filename))


def register(app: Flask) -> None:
    from .lookup import main_images

    app.jinja_env.globals.update(static_url=static_url, main_images=main_images)

    @app.after_request
    def _cache_hashed_static(response):
        """A static file asked for by its current hash is cached for a year; without the
        hash (or with a stale one) it keeps Flask's ``no-cache``."""
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        wanted = request.args.get("v")
        if wanted and wanted == current_hash(filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
