"""``/media/<name>``: the renditions ``catalog.images`` wrote, cached for a year.

A name is a content hash, so a file never changes under its name: ``immutable`` lets a
browser skip revalidation. Only names of the exact form the pipeline writes are served (no
directories, no dots of one's own), everything else is a 404.
"""

from __future__ import annotations

from flask import abort, current_app, send_from_directory

from catalog.images import FILE_NAME, URL_PREFIX

from . import bp

YEAR = 365 * 24 * 3600


@bp.route(URL_PREFIX + "<name>")
def file(name: str):
    if not FILE_NAME.fullmatch(name):
        abort(404, description="There is no such image.")
    response = send_from_directory(current_app.config["MEDIA_DIR"], name, max_age=YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
