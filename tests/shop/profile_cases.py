"""Profile examples shared by the schema, API and form tests: a full profile and each invalid value."""

FULL = {
    "age_band": "45-59", "height_cm": 172, "weight_kg": 81.5, "fitness_level": "beginner",
    "goals": ["pain-relief", "walk-daily"], "arch": "flat", "overpronation": "yes",
    "shoe_size_eu": 42.5, "width": "wide", "pain_areas": ["lower-back", "knees"],
    "terrain": ["pavement", "hills"], "walks_per_week": 5, "minutes_per_walk": 40,
}  # fmt: skip

AGE = "Choose one of: under-30, 30-44, 45-59, 60-74, 75-plus."
FITNESS = "Choose one of: inactive, beginner, regular, active."
GOALS = "Choose any of: pain-relief, walk-daily, prevent-relapse, lose-weight, build-strength."
ARCH = "Choose one of: flat, neutral, high, unknown."
OVERPRONATION = "Choose one of: yes, no, unknown."
WIDTH = "Choose one of: narrow, regular, wide, extra-wide."
PAIN = "Choose any of: lower-back, upper-back, neck, hips, knees, feet."
TERRAIN = "Choose any of: pavement, trail, hills, wet."
HEIGHT = "Height must be between 100 and 230 cm."
WEIGHT = "Weight must be between 30 and 250 kg."
SIZE = "EU shoe size must be between 35 and 50."
WALKS = "Walks per week must be between 0 and 21."
MINUTES = "Minutes per walk must be between 0 and 300."

INVALID = [
    ("age_band", "50", AGE),
    ("age_band", 45, AGE),
    ("height_cm", 99, HEIGHT),
    ("height_cm", 231, HEIGHT),
    ("height_cm", 172.5, "Enter a whole number. " + HEIGHT),
    ("height_cm", "tall", "Enter a whole number. " + HEIGHT),
    ("height_cm", True, "Enter a whole number. " + HEIGHT),
    ("weight_kg", 29.9, WEIGHT),
    ("weight_kg", 250.1, WEIGHT),
    ("weight_kg", "heavy", "Enter a number. " + WEIGHT),
    ("fitness_level", "couch", FITNESS),
    ("goals", ["pain-relief", "fly"], GOALS),
    ("goals", [1], GOALS),
    ("goals", "pain-relief", 'Give a list, like ["pain-relief"].'),
    ("arch", "very-high", ARCH),
    ("overpronation", True, OVERPRONATION),
    ("shoe_size_eu", 34.5, SIZE),
    ("shoe_size_eu", 50.5, SIZE),
    ("shoe_size_eu", 42.3, "Use a whole or half size, like 42 or 42.5."),
    ("shoe_size_eu", "big", "Enter a number. " + SIZE),
    ("width", "huge", WIDTH),
    ("pain_areas", ["elbow"], PAIN),
    ("pain_areas", "neck", 'Give a list, like ["lower-back"].'),
    ("terrain", ["beach"], TERRAIN),
    ("walks_per_week", -1, WALKS),
    ("walks_per_week", 22, WALKS),
    ("walks_per_week", 2.5, "Enter a whole number. " + WALKS),
    ("minutes_per_walk", -5, MINUTES),
    ("minutes_per_walk", 301, MINUTES),
]
