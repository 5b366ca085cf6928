"""Editing the profile rule table: every mistake named before saving, a preview on the example
shoppers, an audited save that the next training uses."""

from __future__ import annotations

from pathlib import Path

from admin_helpers import staff_client
from sqlalchemy import select

from recommender.profile_rules import DEFAULT_RULES_PATH
from shop.admin.models import AuditEntry
from shop.extensions import db

SHIPPED = DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def test_the_page_shows_the_shipped_table_until_one_is_saved(demo):
    page = staff_client(demo, "merchandiser").get("/admin/profile-rules").get_data(as_text=True)
    assert "flat-feet-arch-support" in page and "table shipped with the recommender" in page


def test_a_word_outside_the_vocabulary_is_named_and_nothing_is_saved(demo):
    staff = staff_client(demo, "merchandiser")
    broken = SHIPPED.replace("flat-feet-arch-support", "flat-feet-arch-support", 1) + (
        "  - id: bogus\n    when: {arch: [wobbly]}\n    want: {attribute: stability, values: [stability]}\n"
        "    weight: 1\n    reason: Nope\n")
    response = staff.post("/admin/profile-rules", data={"text": broken, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "bogus" in page and "wobbly" in page and "Not saved" in page
    assert not Path(demo.config["PROFILE_RULES_PATH"]).exists()
    api = staff.put("/api/admin/profile-rules", json={"text": "rules: [1"})
    assert api.status_code == 422 and "YAML" in api.get_json()["detail"]


def test_preview_shows_what_the_example_shoppers_would_see(demo):
    staff = staff_client(demo, "merchandiser")
    # Drop every rule: the proposed lists lose their reasons.
    empty = "version: 1\nrules: []\n"
    body = staff.post("/api/admin/profile-rules/preview", json={"text": empty}).get_json()
    assert [example["name"] for example in body][0].startswith("Beginner, flat feet")
    assert len(body) == 3 and all(len(example["current"]) == 5 for example in body)
    assert any(item["reason"] for item in body[0]["current"])
    assert not any(item["reason"] for example in body for item in example["proposed"])
    page = staff.post("/admin/profile-rules", data={"text": empty, "action": "preview"}).get_data(as_text=True)
    assert "With these rules" in page and "High arches, knee pain, trails" in page


def test_a_saved_table_is_audited_and_used_by_the_next_training(demo, runner):
    staff = staff_client(demo, "admin")
    changed = SHIPPED.replace('reason: "High arch support for flat feet"', 'reason: "Fits: high arch support"', 1)
    assert changed != SHIPPED
    response = staff.post("/admin/profile-rules", data={"text": changed, "action": "save"})
    assert response.status_code == 302
    assert Path(demo.config["PROFILE_RULES_PATH"]).read_text(encoding="utf-8") == changed
    assert staff.get("/api/admin/profile-rules").get_json()["source"] == "saved"
    with demo.app_context():
        from shop.recommendations import profile_rules_store

        assert profile_rules_store.current_path() == Path(demo.config["PROFILE_RULES_PATH"])
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "profile_rules.update"))
        assert entry.before["sha256"] != entry.after["sha256"] and entry.after["rules"]
        # The next training fits the saved table: its first reason is the edited one.
        from recommender.persistence import load_artifact
        from shop.recommendations.training import train

        result = train(db.session, demo.config["MODEL_DIR"])
        model, _header = load_artifact(result.path)
        assert model.profile_.rules_[0].reason.startswith("Fits: ")


def test_support_cannot_edit_the_rules(demo):
    assert staff_client(demo, "support").get("/admin/profile-rules").status_code == 403
