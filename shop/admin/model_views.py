"""``/admin/model`` and ``/api/admin/model``: the served recommender, and "retrain now".

The page reads the artifact's header (what ``train`` recorded: version, time, data, the
collaborative model chosen on validation and its scores) and what this process serves. A
retrain runs in the background (:mod:`shop.recommendations.retrain`); its progress is in
the database, so the page (which refreshes itself while a run is active) shows it from any worker.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError

from ..accounts.forms import field_errors, form_values
from ..errors import abort_with
from ..extensions import db
from ..recommendations import retrain, training_runs
from ..recommendations.store import Served, get_store
from . import audit
from .access import current_staff, protect, protect_api
from .analytics_schemas import ModelSchema, RetrainSchema, TrainingRunSchema
from .roles import CATALOG

pages = protect(Blueprint("admin_model", __name__, url_prefix="/admin/model"), CATALOG)
api = protect_api(ApiBlueprint("admin_model_api", __name__, url_prefix="/api/admin/model",
                               description="The served recommender model and training runs (admin, merchandiser)."),
                  CATALOG)

REFRESH_SECONDS = 3


def describe(served: Served) -> dict:
    """What the page and the API show of the served model, from its artifact header only."""
    header = served.header or {}
    stats = (header.get("metadata") or {}).get("data_stats") or {}
    choice = stats.get("collaborative")
    evaluation = None
    if choice:
        scores = {key: value for key, value in choice.items() if key.startswith("validation_")}
        evaluation = {"model": choice.get("model"), "params": choice.get("params") or {},
                      "chosen_by": choice.get("chosen_by"), "scores": scores,
                      "candidates": choice.get("candidates") or {},
                      "selection_seconds": choice.get("selection_seconds")}
    return {
        "serving": "model" if served.model is not None else "popularity fallback",
        "problem": served.problem,
        "model_version": header.get("model_version"),
        "trained_at": header.get("created_at"),
        "trained_on": {key: stats.get(key) for key in (
            "n_interactions", "n_users", "n_items", "n_documents", "n_interactions_known_ids", "n_buy_pairs",
            "events_from", "events_to") if key in stats},
        "evaluation": evaluation,
    }


def _model() -> dict:
    runs = training_runs.latest_runs(db.session, 1)
    return {**describe(get_store().refresh()), "latest_run": runs[0] if runs else None}


def _queue(since_days: int | None) -> training_runs.TrainingRun:
    """Queue a run (``RunActive`` when one is under way), audit it in the same commit, start it."""
    staff = current_staff()
    run = training_runs.create(db.session, staff.email, since_days)
    audit.record(db.session, staff, "model.retrain", "training_run", run.id,
                 after={"status": run.status, "since_days": since_days})
    db.session.commit()
    retrain.start_in_background(current_app._get_current_object(), run.id)
    return run


def _render(errors: dict | None = None, values: dict | None = None, status: int = 200):
    runs = training_runs.latest_runs(db.session, 10)
    active = any(run.active for run in runs)
    return render_template("admin/model.html", model=describe(get_store().refresh()), runs=runs, active=active,
                           refresh=REFRESH_SECONDS if active else None, errors=errors or {},
                           values=values or {}), status


@pages.route("", endpoint="show")
def show():
    return _render()


@pages.route("/retrain", methods=["POST"], endpoint="retrain")
def retrain_page():
    schema = RetrainSchema()
    values = form_values(schema, request.form)
    if values.get("since_days") == "":
        values.pop("since_days")
    try:
        data = schema.load(values)
    except ValidationError as exc:
        return _render(field_errors(exc.messages), values, 422)
    try:
        run = _queue(data["since_days"])
    except training_runs.RunActive as exc:
        return _render({"retrain": str(exc)}, values, 409)
    flash(f"Training run {run.id} started; the model served now stays until the new one is saved.", "info")
    return redirect(url_for("admin_model.show"))


@api.route("", methods=["GET"])
@api.response(200, ModelSchema)
def api_model():
    """The model this process serves (or why it serves the popularity fallback), what it was
    trained on, the validation scores of the collaborative model training chose, the latest run."""
    return _model()


@api.route("/runs", methods=["POST"])
@api.arguments(RetrainSchema, error_status_code=422)
@api.response(202, TrainingRunSchema)
@api.alt_response(409, description="A training run is already queued or running.")
def api_retrain(data):
    """Retrain now, in the background; poll the run for its progress. A failed run leaves the
    served model untouched and records the error in `message`."""
    try:
        return _queue(data["since_days"])
    except training_runs.RunActive as exc:
        abort_with(409, str(exc))


@api.route("/runs/<int:run_id>", methods=["GET"])
@api.response(200, TrainingRunSchema)
@api.alt_response(404, description="No training run with that id.")
def api_run(run_id: int):
    """One training run: status, progress (0-100), stage, message and the model it produced."""
    run = db.session.get(training_runs.TrainingRun, run_id)
    if run is None:
        abort_with(404, "No training run with that id.")
    return run
