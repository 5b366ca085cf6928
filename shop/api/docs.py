"""Interactive API docs (Swagger UI) served from the installed package: no CDN, no inline script."""

from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("api_docs", __name__)


@bp.route("/api/docs")
def docs():
    return render_template("api_docs.html")


@bp.route("/api/docs/assets/<path:filename>")
def assets(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
