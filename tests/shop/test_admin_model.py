"""The model page: what is served and what it learned from; "retrain now" in the background."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from shop.admin.models import AuditEntry
from shop.extensions import db
from shop.recommendations import retrain, training_runs
from shop.recommendations.retrain import wait_for_runs
from shop.recommendations.training import artifact_path
from shop.recommendations.training_runs import TrainingRun
from tests.shop.admin_helpers import staff_client


@pytest.fixture
def shop_with_history(demo, runner):
    assert runner.invoke(args=["recommender", "seed-demo", "--visitors", "40"]).exit_code == 0
    return demo


def run_row(app, run_id: int) -> TrainingRun:
    with app.app_context():
        return db.session.get(TrainingRun, run_id)


def test_without_a_model_the_page_says_popularity_is_served(demo):
    client = staff_client(demo, "merchandiser")
    html = client.get("/admin/model").get_data(as_text=True)
    assert "Popularity fallback" in html and "no model" in html and "Retrain now" in html
    data = client.get("/api/admin/model").get_json()
    assert data["serving"] == "popularity fallback" and data["model_version"] is None
    assert data["latest_run"] is None


def test_retrain_now_trains_in_the_background_and_the_new_model_is_served(shop_with_history):
    app = shop_with_history
    client = staff_client(app, "merchandiser")
    started = client.post("/api/admin/model/runs", json={})
    assert started.status_code == 202, started.get_data(as_text=True)
    run = started.get_json()
    assert run["status"] in ("queued", "running", "succeeded") and run["requested_by"] == "merchandiser@example.com"
    wait_for_runs(app)

    done = client.get(f"/api/admin/model/runs/{run['id']}").get_json()
    assert done["status"] == "succeeded" and done["progress"] == 100 and done["stage"] == "done"
    assert done["model_version"] and done["finished_at"] and "events from" in done["message"]

    model = client.get("/api/admin/model").get_json()
    assert model["serving"] == "model" and model["model_version"] == done["model_version"]
    assert model["trained_on"]["n_items"] == 75 and model["trained_on"]["n_interactions"] > 0
    assert 0 < model["trained_on"]["n_users"] <= 40
    assert model["evaluation"]["model"] and model["evaluation"]["chosen_by"]
    assert model["latest_run"]["id"] == run["id"]

    html = client.get("/admin/model").get_data(as_text=True)
    assert done["model_version"] in html and "succeeded" in html and 'http-equiv="refresh"' not in html
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "model.retrain"))
        assert entry.entity == "training_run" and entry.entity_id == str(run["id"])
        assert entry.actor_email == "merchandiser@example.com"


def test_a_failing_training_leaves_the_served_model_untouched(shop_with_history, runner, monkeypatch):
    app = shop_with_history
    assert runner.invoke(args=["recommender", "train"]).exit_code == 0
    client = staff_client(app, "admin")
    before = client.get("/api/admin/model").get_json()
    artifact = artifact_path(app.config["MODEL_DIR"])
    saved = artifact.read_bytes()

    from recommender.hybrid import HybridRecommender

    def broken_fit(self, *args, **kwargs):
        raise RuntimeError("the fit ran out of memory")

    monkeypatch.setattr(HybridRecommender, "fit", broken_fit)
    response = client.post("/admin/model/retrain", data={"since_days": ""})
    assert response.status_code == 302
    wait_for_runs(app)

    with app.app_context():
        run = db.session.scalar(select(TrainingRun).order_by(TrainingRun.id.desc()))
        assert run.status == "failed" and run.active is None and run.finished_at is not None
        assert run.message == "RuntimeError: the fit ran out of memory"
        assert run.stage == "events" and run.model_version is None  # it got as far as the fit
    assert artifact.read_bytes() == saved
    after = client.get("/api/admin/model").get_json()
    assert after["serving"] == "model" and after["model_version"] == before["model_version"]
    html = client.get("/admin/model").get_data(as_text=True)
    assert "RuntimeError: the fit ran out of memory" in html


def test_only_one_run_at_a_time(demo):
    app = demo
    client = staff_client(app, "admin")
    with app.app_context():
        running = training_runs.create(db.session, "someone@example.com")
        db.session.commit()
        running_id = running.id
        with pytest.raises(training_runs.RunActive):
            training_runs.create(db.session, "else@example.com")

    refused = client.post("/api/admin/model/runs", json={})
    assert refused.status_code == 409 and refused.content_type == "application/problem+json"
    assert f"run {running_id} is queued" in refused.get_json()["detail"]
    page = client.post("/admin/model/retrain", data={})
    assert page.status_code == 409 and "wait for it to finish" in page.get_data(as_text=True)
    html = client.get("/admin/model").get_data(as_text=True)
    assert 'http-equiv="refresh"' in html and "disabled" in html  # the page follows the active run
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "model.retrain")) is None
        assert len(training_runs.latest_runs(db.session)) == 1


def test_a_run_whose_process_died_does_not_block_the_next(app):
    with app.app_context():
        dead = training_runs.create(db.session, "a@example.com")
        dead.updated_at = dt.datetime(2026, 1, 1)
        db.session.commit()
        fresh = training_runs.create(db.session, "b@example.com")
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(TrainingRun, dead.id).status == "failed"
        assert "Abandoned" in db.session.get(TrainingRun, dead.id).message
        assert training_runs.active_run(db.session).id == fresh.id


def test_progress_is_recorded_step_by_step(app, tmp_path):
    """Another worker reads the run's progress from the database while it trains."""
    from shop.recommendations.training import STEPS

    seen = []

    def fake_train(session, model_dir, *, since, progress):
        for step in STEPS[:3]:
            progress(step)
            with app.app_context():  # a second session: what another worker would read
                row = db.session.get(TrainingRun, run_id)
                seen.append((row.status, row.progress, row.stage))
        raise ValueError("there are no active products to recommend")

    with app.app_context():
        run_id = training_runs.create(db.session, None).id
        db.session.commit()
        run = retrain.execute(db.session, run_id, str(tmp_path), train=fake_train)
        assert run.status == "failed" and "no active products" in run.message
    assert seen == [("running", 20, "products"), ("running", 40, "articles"), ("running", 60, "events")]


@pytest.mark.parametrize("body", [{"since_days": 0}, {"since_days": "x"}, {"colour": "red"}])
def test_retrain_refuses_bad_input(demo, body):
    response = staff_client(demo, "admin").post("/api/admin/model/runs", json=body)
    assert response.status_code == 422
    with demo.app_context():
        assert training_runs.latest_runs(db.session) == []


def test_the_page_form_shows_field_errors(demo):
    response = staff_client(demo, "admin").post("/admin/model/retrain", data={"since_days": "0"})
    assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)
