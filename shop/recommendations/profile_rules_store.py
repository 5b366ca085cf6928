"""The shop's own profile rule table: where it lives, checking a new one, previewing it, saving.

The recommender ships a rule table (``recommender/rules/profile_rules.yaml``); the shop uses its
own copy at ``PROFILE_RULES_PATH`` once staff have saved one from the back office. Rules are
part of the trained model, so a saved table takes effect at the next training. A new table is
checked against the catalog's vocabulary exactly as training checks it, and previewed on the
example profiles (``example_profiles``) beside the table in use.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from catalog import vocabulary
from recommender.profile import ProfileScorer, RulesError, load_rules
from recommender.profile_rules import DEFAULT_RULES_PATH

from . import bridge
from .example_profiles import EXAMPLE_PROFILES

PREVIEW_SIZE = 5
MAX_BYTES = 256 * 1024


def saved_path() -> Path | None:
    if not has_app_context():
        return None
    configured = current_app.config.get("PROFILE_RULES_PATH")
    return Path(configured) if configured else None


def current_path() -> Path:
    """The table training uses: the saved one, else the shipped one."""
    saved = saved_path()
    return saved if saved is not None and saved.is_file() else DEFAULT_RULES_PATH


def current_text() -> str:
    return current_path().read_text(encoding="utf-8")


def check(text: str):
    """The rules of ``text``, checked against the catalog's vocabulary; RulesError naming the rule."""
    if len(text.encode()) > MAX_BYTES:
        raise RulesError(f"the rule table is over {MAX_BYTES // 1024} KiB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "profile_rules.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_rules(path, vocabulary.as_data())
        except RulesError as exc:
            raise RulesError(str(exc).replace(f"{path}: ", "").replace(str(path), "the rule table")) from None


def _footwear(session: Session):
    items = [item for item in bridge.load_items(session) if "footwear" in item.category_path]
    attributes = [{**item.attributes, "category": tuple(item.category_path), "widths": tuple(item.widths)}
                  for item in items]
    return items, attributes


def _ranked(scorer: ProfileScorer, items, profile: dict) -> list[dict]:
    scores = scorer.score_vector(profile)
    excluded, demoted = scorer.effect_masks(profile)
    order = sorted((i for i in range(len(items)) if not excluded[i]),
                   key=lambda i: (bool(demoted[i]), -float(scores[i]), items[i].item_id))[:PREVIEW_SIZE]
    reasons = scorer.explain(profile, np.asarray(order, dtype=int)) if order else []
    return [{"slug": items[i].item_id, "name": items[i].title, "score": round(float(scores[i]), 3),
             "demoted": bool(demoted[i]), "reason": reasons[k][0][0] if reasons and reasons[k] else ""}
            for k, i in enumerate(order)]


def preview(session: Session, text: str) -> list[dict]:
    """Each example profile's top footwear under the table in use and under ``text``."""
    check(text)
    items, attributes = _footwear(session)
    ids = [item.item_id for item in items]
    with tempfile.TemporaryDirectory() as folder:
        proposed_path = Path(folder) / "profile_rules.yaml"
        proposed_path.write_text(text, encoding="utf-8")
        proposed = ProfileScorer(rules_path=proposed_path, vocabulary=vocabulary.as_data()).fit(ids, attributes)
    current = ProfileScorer(rules_path=current_path(), vocabulary=vocabulary.as_data()).fit(ids, attributes)
    return [{"name": name, "profile": profile, "current": _ranked(current, items, profile),
             "proposed": _ranked(proposed, items, profile)} for name, profile in EXAMPLE_PROFILES]


def summary(text: str) -> dict:
    """What the audit log keeps of a table: its hash, size and rule ids."""
    try:
        ids = [rule.id for rule in check(text)]
    except RulesError:
        ids = []
    return {"sha256": hashlib.sha256(text.encode()).hexdigest()[:16], "lines": text.count("\n") + 1, "rules": ids}


def save(text: str) -> Path:
    """Write ``text`` (already checked) as the shop's table, atomically."""
    path = saved_path()
    if path is None:
        raise RulesError("PROFILE_RULES_PATH is not set")
    check(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".profile_rules.", suffix=".yaml")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
    return path
