"""``GET/PUT/DELETE /api/profile``: the visitor's (or account's) profile as JSON.

Always the asker's own profile: there is no profile id in the URL, so nobody can ask for
someone else's. Writes accept only ``application/json`` (a cross-site form cannot send that
without a CORS preflight), which is why the blueprint can be exempt from the form CSRF token.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from .. import visitor
from ..errors import abort_with
from ..extensions import csrf, db
from ..profile import service
from ..profile.schema import ProfileSchema

blp = Blueprint("profile_api", __name__, url_prefix="/api",
                description="What the shopper told us about their back, feet and walking")
csrf.exempt(blp)


@blp.before_request
def _json_only() -> None:
    if request.method in {"POST", "PUT", "PATCH"} and not request.is_json:
        abort_with(415, "Send the profile as JSON with Content-Type: application/json.")


def _owner(create: bool) -> dict:
    account = visitor.user_id()
    if account is not None:
        return {"user_id": account}
    return {"visitor_id": visitor.visitor_id(create=create)}


@blp.route("/profile")
class ProfileResource(MethodView):
    @blp.response(200, ProfileSchema)
    def get(self):
        """The profile: only the fields that were given ({} for none)."""
        return service.current_profile()

    @blp.arguments(ProfileSchema, error_status_code=422)
    @blp.response(200, ProfileSchema)
    @blp.alt_response(415, description="The body is not JSON.")
    @blp.alt_response(422, description="A field is invalid or unknown (problem details name each one).")
    def put(self, data):
        """Replace the profile: fields left out (or null) are cleared. Guests keep it with their session."""
        return service.save_profile(db.session, data, **_owner(create=True))

    @blp.response(204)
    def delete(self):
        """Forget the profile."""
        service.delete_profile(db.session, **_owner(create=False))
