"""Shared set-up for the recommendation tests: demo events and a trained model, cached."""

from __future__ import annotations

from pathlib import Path

FLAT_FOOTED_LOWER_BACK = {
    "asked": ["arch", "overpronation", "shoe_size_eu", "width", "pain_areas", "terrain", "fitness_level"],
    "arch": "flat", "overpronation": "yes", "shoe_size": "42", "size_system": "eu", "width": "regular",
    "pain_areas": ["lower-back"], "terrain": ["pavement"], "fitness_level": "beginner",
}

_ARTIFACT: dict[str, bytes] = {}


def seed_events(app) -> None:
    from shop.extensions import db
    from shop.recommendations.demo_events import seed_demo_events

    with app.app_context():
        seed_demo_events(db.session)


def train_now(app) -> dict:
    """Train on the app's database into its MODEL_DIR; returns the artifact header."""
    from shop.extensions import db
    from shop.recommendations.training import train

    with app.app_context():
        result = train(db.session, app.config["MODEL_DIR"])
    return result.header


def install_model(app) -> Path:
    """Demo events seeded and a model trained on them in MODEL_DIR (trained once per run)."""
    from shop.recommendations.training import artifact_path

    seed_events(app)
    directory = Path(app.config["MODEL_DIR"])
    path = artifact_path(directory)
    if "demo" not in _ARTIFACT:
        train_now(app)
        # the artifact file and its mapped arrays (format 3: <name>.arrays/<version>/*.npy)
        _ARTIFACT["demo"] = {f.relative_to(directory): f.read_bytes()
                             for f in directory.rglob("*") if f.is_file()}
    else:
        for name, data in _ARTIFACT["demo"].items():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_bytes(data)
    return path
