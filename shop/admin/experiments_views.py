"""``/admin/experiments`` and ``/api/admin/experiments``: A/B tests of recommendation strategies."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError
from sqlalchemy import select

from ..accounts.forms import field_errors
from ..errors import abort_with
from ..extensions import db
from ..recommendations import registry
from ..recommendations.experiment_models import Experiment
from ..recommendations.experiments import STRATEGIES
from . import experiments as service
from .access import current_staff, protect, protect_api
from .experiments_schemas import ExperimentInputSchema, ExperimentSchema, WinnerSchema
from .roles import CATALOG

pages = protect(Blueprint("admin_experiments", __name__, url_prefix="/admin/experiments"), CATALOG)
api = protect_api(ApiBlueprint("admin_experiments_api", __name__, url_prefix="/api/admin/experiments",
                               description="A/B experiments of recommendation strategies."), CATALOG)
ROWS = 4


def _get(experiment_id: int) -> Experiment:
    experiment = db.session.get(Experiment, experiment_id)
    if experiment is None:
        abort_with(404, "No experiment with that id.")
    return experiment


def _all() -> list[Experiment]:
    return list(db.session.scalars(select(Experiment).order_by(Experiment.id.desc())))


def _weights_from_text(text: str) -> dict | None:
    """``"collaborative=3, popularity=0.5"`` as a dict; ValueError when it does not parse."""
    text = text.strip()
    if not text:
        return None
    weights = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"Write weights as name=value, separated by commas (not {part.strip()!r}).")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"{value.strip()!r} is not a number.") from None
    return weights


def _form_data() -> tuple[dict, dict]:
    """The form as the schema's input, and errors of the rows' weight boxes."""
    variants, errors = [], {}
    for i in range(ROWS):
        name = request.form.get(f"v{i}_name", "").strip()
        if not name:
            continue
        variant = {"name": name, "strategy": request.form.get(f"v{i}_strategy", ""),
                   "traffic": request.form.get(f"v{i}_traffic", "")}
        try:
            variant["weights"] = _weights_from_text(request.form.get(f"v{i}_weights", ""))
        except ValueError as exc:
            errors[f"v{i}_weights"] = str(exc)
        variants.append(variant)
    data = {"name": request.form.get("name", ""), "slots": request.form.getlist("slots"),
            "min_sample": request.form.get("min_sample") or 1000, "variants": variants}
    return data, errors


def _form(errors=None, values=None, status=200):
    values = values or {"v0_name": "control", "v0_strategy": "served", "v0_traffic": "50",
                        "v1_name": "collaborative", "v1_strategy": "collaborative", "v1_traffic": "50",
                        "min_sample": "1000", "slots": []}
    return render_template("admin/experiment_form.html", errors=errors or {}, values=values, rows=range(ROWS),
                           strategies=STRATEGIES, slots=[registry.get(name) for name in service.SLOTS],
                           signals=service.SIGNALS), status


@pages.route("", endpoint="list_experiments")
def list_experiments():
    return render_template("admin/experiments.html", experiments=_all())


@pages.route("/new", methods=["GET", "POST"], endpoint="new")
def new_experiment():
    if request.method == "GET":
        return _form()
    data, errors = _form_data()
    values = {**request.form.to_dict(), "slots": request.form.getlist("slots")}
    if errors:
        return _form(errors, values, 422)
    try:
        experiment = service.create(db.session, current_staff(), ExperimentInputSchema().load(data))
    except ValidationError as exc:
        return _form(_row_errors(exc.messages), values, 422)
    except service.ExperimentError as exc:
        return _form({exc.field: str(exc)}, values, 422)
    flash(f"Experiment {experiment.name!r} saved as a draft: start it when ready.", "info")
    return redirect(url_for("admin_experiments.detail", experiment_id=experiment.id))


def _row_errors(messages: dict) -> dict:
    """Schema messages with the variants' rows as the form names them (``v1_traffic``)."""
    errors = field_errors({key: value for key, value in messages.items() if key != "variants"})
    rows = messages.get("variants")
    if isinstance(rows, dict):
        for index, row in rows.items():
            if isinstance(index, int) and isinstance(row, dict):
                for name, reason in field_errors(row).items():
                    errors[f"v{index}_{name}"] = reason
            elif index == "_schema" or not isinstance(index, int):
                errors["variants"] = " ".join(map(str, row if isinstance(row, list) else [row]))
    elif isinstance(rows, list):
        errors["variants"] = " ".join(map(str, rows))
    return errors


@pages.route("/<int:experiment_id>", endpoint="detail")
def detail(experiment_id: int):
    experiment = _get(experiment_id)
    return render_template("admin/experiment.html", experiment=experiment,
                           results=service.results(db.session, experiment))


@pages.route("/<int:experiment_id>/start", methods=["POST"], endpoint="start")
def start_page(experiment_id: int):
    return _act(experiment_id, "start")


@pages.route("/<int:experiment_id>/stop", methods=["POST"], endpoint="stop")
def stop_page(experiment_id: int):
    return _act(experiment_id, "stop")


@pages.route("/<int:experiment_id>/winner", methods=["POST"], endpoint="winner")
def winner_page(experiment_id: int):
    return _act(experiment_id, "winner")


def _act(experiment_id: int, action: str):
    experiment = _get(experiment_id)
    try:
        if action == "start":
            service.start(db.session, current_staff(), experiment)
        else:
            service.stop(db.session, current_staff(), experiment,
                         winner=request.form.get("variant") if action == "winner" else None)
    except service.ExperimentError as exc:
        flash(str(exc), "error")
    else:
        flash({"start": "Started.", "stop": "Stopped.", "winner": f"Winner: {experiment.winner}."}[action], "info")
    return redirect(url_for("admin_experiments.detail", experiment_id=experiment_id))


def _dump(experiment: Experiment) -> dict:
    return {**experiment.as_dict(), "id": experiment.id, "created_at": experiment.created_at,
            "started_at": experiment.started_at, "stopped_at": experiment.stopped_at,
            "results": service.results(db.session, experiment)}


def _or_problem(call):
    try:
        return call()
    except service.ExperimentError as exc:
        abort_with(exc.status, str(exc))


@api.route("", methods=["GET"])
@api.response(200, ExperimentSchema(many=True))
def api_list():
    """Every experiment, newest first, with its results so far."""
    return [_dump(experiment) for experiment in _all()]


@api.route("", methods=["POST"])
@api.arguments(ExperimentInputSchema, error_status_code=422)
@api.response(201, ExperimentSchema)
@api.alt_response(422, description="A field is invalid, or the name is taken.")
def api_create(data):
    """Create a draft experiment: slots, 2-4 variants (strategy, weights, traffic %), minimum sample."""
    return _dump(_or_problem(lambda: service.create(db.session, current_staff(), data)))


@api.route("/<int:experiment_id>", methods=["GET"])
@api.response(200, ExperimentSchema)
@api.alt_response(404, description="No such experiment.")
def api_get(experiment_id: int):
    """One experiment and its results: rates and means with 95% intervals, tests against control."""
    return _dump(_get(experiment_id))


@api.route("/<int:experiment_id>/start", methods=["POST"])
@api.response(200, ExperimentSchema)
@api.alt_response(404, description="No such experiment.")
@api.alt_response(409, description="Not a draft, or another running experiment uses one of its slots.")
def api_start(experiment_id: int):
    """Start a draft: from now on its slots are served by the visitors' variants."""
    experiment = _get(experiment_id)
    return _dump(_or_problem(lambda: service.start(db.session, current_staff(), experiment)))


@api.route("/<int:experiment_id>/stop", methods=["POST"])
@api.response(200, ExperimentSchema)
@api.alt_response(404, description="No such experiment.")
@api.alt_response(409, description="Not running.")
def api_stop(experiment_id: int):
    """Stop: every visitor sees the served model again."""
    experiment = _get(experiment_id)
    return _dump(_or_problem(lambda: service.stop(db.session, current_staff(), experiment)))


@api.route("/<int:experiment_id>/winner", methods=["POST"])
@api.arguments(WinnerSchema, error_status_code=422)
@api.response(200, ExperimentSchema)
@api.alt_response(404, description="No such experiment.")
@api.alt_response(409, description="A variant has fewer visitors than the minimum sample.")
@api.alt_response(422, description="No such variant.")
def api_winner(data, experiment_id: int):
    """Declare a winner (every variant must have the minimum sample) and stop the experiment."""
    experiment = _get(experiment_id)
    return _dump(_or_problem(lambda: service.stop(db.session, current_staff(), experiment, winner=data["variant"])))
