"""Staff management: the ``shop staff`` commands, the staff page and API, and their audit trail."""

from __future__ import annotations

from admin_helpers import STAFF_PASSWORD, staff_client
from sqlalchemy import select

from shop.admin.models import AuditEntry
from shop.extensions import db
from shop.models import User


def user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_staff_create_asks_for_the_password_of_a_new_account(app, runner):
    result = runner.invoke(args=["staff", "create", "Boss@Example.com", "--role", "admin"],
                           input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    assert "boss@example.com is now admin" in result.output
    client = app.test_client()
    assert client.post("/api/account/login",
                       json={"email": "boss@example.com", "password": "a-long-password"}).status_code == 200
    assert client.get("/admin/staff").status_code == 200


def test_staff_create_gives_an_existing_account_a_role_and_keeps_its_password(app, runner):
    client = app.test_client()
    client.post("/api/account/register", json={"email": "ann@example.com", "password": "ann-password-1"})
    result = runner.invoke(args=["staff", "create", "ann@example.com", "--role", "support"])
    assert result.exit_code == 0 and "existing account" in result.output
    assert user(app, "ann@example.com").role == "support"
    assert "ann@example.com\tsupport" in runner.invoke(args=["staff", "list"]).output


def test_staff_create_refuses_an_unknown_role_and_a_short_password(runner):
    assert runner.invoke(args=["staff", "create", "a@example.com", "--role", "owner"]).exit_code == 2
    result = runner.invoke(args=["staff", "create", "a@example.com", "--role", "admin", "--password", "short"])
    assert result.exit_code == 1 and "password" in result.output


def test_the_only_admin_cannot_be_removed(app, runner):
    runner.invoke(args=["staff", "create", "boss@example.com", "--role", "admin", "--password", STAFF_PASSWORD])
    result = runner.invoke(args=["staff", "remove", "boss@example.com"])
    assert result.exit_code == 1 and "only admin" in result.output
    assert user(app, "boss@example.com").role == "admin"


def test_admin_adds_staff_from_the_page_with_per_field_errors(app):
    admin = staff_client(app, "admin")
    bad = admin.post("/admin/staff", data={"email": "not-an-email", "role": "wizard"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Enter a valid e-mail address" in page and "Choose one of" in page
    missing_password = admin.post("/admin/staff", data={"email": "new@example.com", "role": "support"})
    assert missing_password.status_code == 422 and "give a password" in missing_password.get_data(as_text=True)
    ok = admin.post("/admin/staff", data={"email": "new@example.com", "role": "support",
                                          "password": STAFF_PASSWORD}, follow_redirects=True)
    assert ok.status_code == 200 and "new@example.com is now support" in ok.get_data(as_text=True)
    assert user(app, "new@example.com").role == "support"


def test_staff_changes_are_audited_with_who_before_and_after(app):
    admin = staff_client(app, "admin", "boss@example.com")
    created = admin.post("/api/admin/staff", json={"email": "m@example.com", "role": "merchandiser",
                                                   "password": STAFF_PASSWORD})
    assert created.status_code == 201 and created.get_json()["role"] == "merchandiser"
    admin.post("/api/admin/staff", json={"email": "m@example.com", "role": "support"})
    assert admin.delete(f"/api/admin/staff/{created.get_json()['id']}").status_code == 204
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(created.get_json()["id"]))
                                  .order_by(AuditEntry.id)).all()
        trail = [(r.actor_email, r.action, r.before["role"], r.after["role"]) for r in rows]
    assert trail == [("boss@example.com", "staff.grant", None, "merchandiser"),
                     ("boss@example.com", "staff.grant", "merchandiser", "support"),
                     ("boss@example.com", "staff.revoke", "support", None)]


def test_staff_api_answers_problems(app):
    admin = staff_client(app, "admin")
    assert admin.post("/api/admin/staff", data="email=x").status_code == 415
    response = admin.post("/api/admin/staff", json={"email": "x@example.com", "role": "support", "extra": 1})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert admin.delete("/api/admin/staff/99999").status_code == 404
    me = admin.get("/api/admin").get_json()["id"]
    last_admin = admin.delete(f"/api/admin/staff/{me}")
    assert last_admin.status_code == 422 and "only admin" in last_admin.get_json()["detail"]


def _with_two_step(app, email):
    with app.app_context():
        account = db.session.scalar(select(User).where(User.email == email))
        account.totp_secret, account.totp_last_step = "JBSWY3DPEHPK3PXP", 1
        db.session.commit()
        return account.id


def test_an_admin_resets_a_lost_second_factor_from_the_page_and_it_is_audited(app):
    admin = staff_client(app, "admin", "boss@example.com")
    staff_client(app, "support", "sam@example.com")
    sam = _with_two_step(app, "sam@example.com")
    assert "Reset two-step" in admin.get("/admin/staff").get_data(as_text=True)
    done = admin.post(f"/admin/staff/{sam}/reset-two-step", follow_redirects=True)
    assert "sam@example.com signs in with the password alone" in done.get_data(as_text=True)
    assert user(app, "sam@example.com").totp_secret is None
    assert user(app, "sam@example.com").totp_last_step is None
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.reset_two_step")).one()
        assert (entry.actor_email, entry.entity_id) == ("boss@example.com", str(sam))
    again = admin.post(f"/admin/staff/{sam}/reset-two-step", follow_redirects=True)
    assert "has no two-step sign-in to reset" in again.get_data(as_text=True)


def test_nobody_resets_their_own_second_factor_and_only_admins_reset_others(app):
    admin = staff_client(app, "admin", "boss@example.com")
    me = _with_two_step(app, "boss@example.com")
    own = admin.delete(f"/api/admin/staff/{me}/two-step")
    assert own.status_code == 422 and "your own" in own.get_json()["detail"]
    assert user(app, "boss@example.com").totp_secret is not None
    support = staff_client(app, "support", "sam@example.com")
    assert support.delete(f"/api/admin/staff/{me}/two-step").status_code == 403  # admins only
    assert admin.delete("/api/admin/staff/99999/two-step").status_code == 404
    sam = _with_two_step(app, "sam@example.com")
    reset = admin.delete(f"/api/admin/staff/{sam}/two-step")
    assert reset.status_code == 200 and reset.get_json()["two_step"] is False


def test_staff_reset_two_step_command(app, runner):
    runner.invoke(args=["staff", "create", "sam@example.com", "--role", "support", "--password", STAFF_PASSWORD])
    _with_two_step(app, "sam@example.com")
    result = runner.invoke(args=["staff", "reset-two-step", "Sam@Example.com"])
    assert result.exit_code == 0, result.output
    assert user(app, "sam@example.com").totp_secret is None
    assert runner.invoke(args=["staff", "reset-two-step", "nobody@example.com"]).exit_code == 1
