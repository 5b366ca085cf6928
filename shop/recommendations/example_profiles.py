"""Three example shoppers the back office previews profile-rule changes on.

Saved here as plain data (the shop's profile vocabulary, ``catalog/vocabulary.py``), chosen to
pull the rules in different directions: flat feet and back pain, high arches on trails, and
wide feet with a heavier build.
"""

from __future__ import annotations

EXAMPLE_PROFILES: tuple[tuple[str, dict], ...] = (
    ("Beginner, flat feet, lower-back pain", {
        "age_band": "45-59", "fitness_level": "beginner", "arch": "flat", "overpronation": "yes",
        "pain_areas": ["lower-back"], "terrain": ["pavement"], "goals": ["pain-relief", "walk-daily"]}),
    ("High arches, knee pain, trails", {
        "age_band": "30-44", "fitness_level": "regular", "arch": "high", "overpronation": "no",
        "pain_areas": ["knees"], "terrain": ["trail", "hills"], "goals": ["prevent-relapse"]}),
    ("Wide feet, heavier build, hips", {
        "age_band": "60-74", "fitness_level": "inactive", "arch": "neutral", "width": "wide",
        "height_cm": 170, "weight_kg": 102, "pain_areas": ["hips"], "terrain": ["pavement", "wet"],
        "goals": ["lose-weight"]}),
)  # fmt: skip
