"""Test helpers of the back-office tests: staff accounts of each role, and logging in as them."""

from __future__ import annotations

from shop.admin.staff import grant
from shop.extensions import db
from shop.models import User

STAFF_PASSWORD = "staff-password-1"


def make_staff(app, role: str, email: str | None = None) -> int:
    """An account with ``role`` (None: a plain shopper); returns its id."""
    email = email or f"{role or 'shopper'}@example.com"
    with app.app_context():
        if role is None:
            from werkzeug.security import generate_password_hash

            user = User(email=email, name="Shopper", password_hash=generate_password_hash(STAFF_PASSWORD))
            db.session.add(user)
            db.session.commit()
            return user.id
        return grant(db.session, None, email, role, password=STAFF_PASSWORD).id


def log_in_as(client, user_id: int | None) -> None:
    """Put ``user_id`` in the client's session (None: log out)."""
    with client.session_transaction() as sess:
        sess.clear()
        if user_id is not None:
            sess["user_id"] = user_id


def staff_client(app, role: str, email: str | None = None):
    """A test client logged in as a new staff member of ``role``."""
    client = app.test_client()
    log_in_as(client, make_staff(app, role, email))
    return client
