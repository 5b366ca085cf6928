"""The footwear finder (``/footwear``): a few questions, then shoes that suit the answers.

It asks only what the profile does not say yet (arch, overpronation, shoe size and width,
pain areas, terrain, fitness level), saves the answers to the visitor's profile, and shows
footwear in their size and width, each with the reasons it was chosen. When fewer than four
shoes fit, the page says so and offers the nearest alternatives (:mod:`.alternatives`).
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from .. import visitor
from ..extensions import db
from ..profile import service as profiles
from ..profile.forms import SIZE_SYSTEMS, form_values, parse_form, submitted_values
from ..recommendations import service as recommendations
from ..recommendations.slots import footwear_for
from . import bp
from .alternatives import FEW_SHOES, alternatives

#: The profile fields the finder needs, in the order it asks them.
FINDER_FIELDS = ("arch", "overpronation", "shoe_size_eu", "width", "pain_areas", "terrain", "fitness_level")
FORM_NAMES = {"shoe_size_eu": "shoe_size"}


def missing_fields(profile: dict) -> list[str]:
    return [name for name in FINDER_FIELDS if profile.get(name) in (None, "", [])]


def _owner(create: bool) -> dict:
    account = visitor.user_id()
    if account is not None:
        return {"user_id": account}
    return {"visitor_id": visitor.visitor_id(create=create)}


def _form(asked: list[str], values: dict, errors: dict, *, refine: bool, status: int = 200):
    return render_template(
        "footwear/questions.html", asked=asked, values=values, errors=errors, refine=refine,
        size_systems={key: spec[0] for key, spec in SIZE_SYSTEMS.items()},
    ), status


@bp.route("", methods=["GET", "POST"])
def finder():
    profile = profiles.current_profile()
    if request.method == "POST":
        asked = [name for name in FINDER_FIELDS if name in request.form.getlist("asked")] or list(FINDER_FIELDS)
        data, errors = parse_form(request.form)
        if errors:
            return _form(asked, submitted_values(request.form), errors, refine=len(asked) == len(FINDER_FIELDS),
                         status=400)
        # Answers replace what the profile said about the questions asked; the rest is kept.
        merged = {k: v for k, v in profile.items() if k not in asked}
        merged.update({k: v for k, v in data.items() if k in asked})
        profiles.save_profile(db.session, merged, **_owner(create=True))
        return redirect(url_for("footwear.finder", show=1))
    missing = missing_fields(profile)
    if missing and not request.args.get("show"):
        return _form(missing, form_values(profile), {}, refine=False)
    shoes = footwear_for(profile)
    few = len(shoes) < FEW_SHOES and profile.get("shoe_size_eu") is not None
    others = alternatives(profile, [s.product.slug for s in shoes]) if few else {}
    return render_template("footwear/results.html", shoes=shoes, profile=profile, missing=missing,
                           few=few, alternatives=others, model_version=recommendations.model_version())


@bp.get("/refine")
def refine():
    """Every finder question again, with the current answers filled in."""
    return _form(list(FINDER_FIELDS), form_values(profiles.current_profile()), {}, refine=True)
