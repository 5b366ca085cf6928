"""Specifications of the profile rule table and the ProfileScorer."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from catalog.vocabulary import as_data
from recommender.profile import (
    DEFAULT_RULES_PATH,
    ProfileScorer,
    RulesError,
    RuleTable,
    load_rules,
    validate_profile,
)

#: The words the shop hands the recommender (the library itself declares none).
VOCABULARY = as_data()

ITEMS = {
    "steady-walker": {
        "arch_support": "high",
        "cushioning": "high",
        "stability": "stability",
        "drop_mm": 10,
        "weight_g": 290,
        "terrain": ["pavement"],
        "conditions": ["lower-back-pain", "flat-feet"],
        "category": ("footwear", "walking-shoes"),
        "widths": ("regular", "wide"),
    },
    "control-max": {
        "arch_support": "high",
        "cushioning": "medium",
        "stability": "motion-control",
        "drop_mm": 12,
        "weight_g": 340,
        "terrain": ["pavement"],
        "conditions": ["overpronation"],
        "category": ("footwear", "walking-shoes"),
        "widths": ("regular",),
    },
    "breeze-neutral": {
        "arch_support": "low",
        "cushioning": "high",
        "stability": "neutral",
        "drop_mm": 8,
        "weight_g": 240,
        "terrain": ["pavement"],
        "conditions": ["high-arches"],
        "category": ("footwear", "walking-shoes"),
        "widths": ("regular",),
    },
    "trail-grip": {
        "arch_support": "medium",
        "cushioning": "medium",
        "stability": "neutral",
        "drop_mm": 4,
        "weight_g": 310,
        "terrain": ["trail", "hills"],
        "waterproof": True,
        "category": ("footwear", "trail-shoes"),
        "widths": ("regular", "extra-wide"),
    },
    "posture-brace": {"conditions": ["posture", "upper-back-pain"], "category": ("supports",)},
    "heel-insole": {
        "arch_support": "high",
        "cushioning": "high",
        "conditions": ["plantar-fasciitis"],
        "category": ("insoles",),
    },
}
IDS = list(ITEMS)


@pytest.fixture(scope="module")
def scorer():
    return ProfileScorer(vocabulary=VOCABULARY).fit(IDS, list(ITEMS.values()))


def ranked(scores):
    return [IDS[i] for i in np.argsort(-scores, kind="stable")]


def test_shipped_rules_load_and_have_unique_ids():
    rules = load_rules(vocabulary=VOCABULARY)
    assert len(rules) >= 20
    assert len({rule.id for rule in rules}) == len(rules)
    assert all(rule.reason for rule in rules)
    assert load_rules(DEFAULT_RULES_PATH) == rules  # the same rules without the word check


def test_flat_footed_lower_back_visitor_gets_stability_with_high_arch_support_first(scorer):
    scores, reasons = scorer.score({"arch": "flat", "pain_areas": ["lower-back"]})
    order = ranked(scores)
    assert order[0] == "steady-walker"
    for stable in ("steady-walker", "control-max"):
        for neutral in ("breeze-neutral", "trail-grip"):
            assert scores[IDS.index(stable)] > scores[IDS.index(neutral)]
    texts = [reason for reason, _ in reasons[IDS.index("steady-walker")]]
    assert "High arch support for flat feet" in texts
    # The neutral shoe's penalty is reported, last.
    neutral_reasons = reasons[IDS.index("breeze-neutral")]
    assert neutral_reasons[-1][1] < 0


def test_scores_are_normalised_to_unit_interval(scorer):
    scores, _ = scorer.score({"arch": "flat", "overpronation": "yes", "pain_areas": ["knees"]})
    assert scores.dtype == np.float32
    assert scores.max() == pytest.approx(1.0)
    assert scores.min() >= 0.0


def test_empty_or_unknown_profile_scores_zero_without_reasons(scorer):
    for profile in (None, {}, {"favourite_colour": "red"}, {"arch": "unknown"}):
        scores, reasons = scorer.score(profile)
        assert not scores.any()
        assert reasons == [[] for _ in IDS]


def test_high_arches_prefer_cushioned_neutral(scorer):
    scores, _ = scorer.score({"arch": "high"})
    assert ranked(scores)[0] == "breeze-neutral"


def test_upper_back_and_neck_want_posture(scorer):
    scores, reasons = scorer.score({"pain_areas": ["neck"]})
    assert ranked(scores)[0] == "posture-brace"
    assert reasons[IDS.index("posture-brace")][0][0].startswith("Supports good posture")


def test_sore_feet_want_arch_support_cushioning_and_plantar_fasciitis(scorer):
    scores, _ = scorer.score({"pain_areas": ["feet"]})
    assert ranked(scores)[0] == "heel-insole"


def test_extra_wide_feet_want_the_width_available(scorer):
    scores, reasons = scorer.score({"width": "extra-wide"})
    assert ranked(scores)[0] == "trail-grip"
    assert reasons[IDS.index("trail-grip")] == [("Available in an extra-wide fit", 1.5)]


def test_beginner_gets_light_comfortable_pavement_shoes(scorer):
    scores, _ = scorer.score({"fitness_level": "beginner"})
    assert ranked(scores)[:2] == ["steady-walker", "breeze-neutral"]
    assert scores[IDS.index("control-max")] < scores[IDS.index("steady-walker")]  # 340 g


def test_terrain_and_goal_rules(scorer):
    scores, _ = scorer.score({"terrain": ["trail"]})
    assert ranked(scores)[0] == "trail-grip"
    scores, reasons = scorer.score({"goals": ["walk-daily"]})
    assert scores[IDS.index("posture-brace")] == 0
    assert ("Walking shoes for your daily walks", 1.0) in reasons[IDS.index("steady-walker")]


def test_bmi_is_derived_from_height_and_weight(scorer):
    scores, reasons = scorer.score({"height_cm": 170, "weight_kg": 100})  # BMI 34.6
    assert ("Extra cushioning to absorb impact", 1.0) in reasons[IDS.index("steady-walker")]
    assert scores[IDS.index("control-max")] == 0


def test_overpronation_accepts_yaml_booleans(scorer):
    a, _ = scorer.score({"overpronation": "yes"})
    b, _ = scorer.score({"overpronation": True})
    np.testing.assert_array_equal(a, b)
    assert a.any()


def test_explain_matches_score_for_a_subset(scorer):
    profile = {"arch": "flat", "pain_areas": ["lower-back"]}
    _, reasons = scorer.score(profile)
    rows = [IDS.index("steady-walker"), IDS.index("trail-grip")]
    assert scorer.explain(profile, rows) == [reasons[r] for r in rows]


def test_score_vector_matches_score(scorer):
    profile = {"pain_areas": ["knees", "hips"], "age_band": "60-74"}
    np.testing.assert_array_equal(scorer.score_vector(profile), scorer.score(profile)[0])


def test_missing_attributes_never_match():
    scorer = ProfileScorer().fit(["bare"], [{}])
    scores, reasons = scorer.score({"arch": "flat", "pain_areas": ["lower-back"]})
    assert scores.tolist() == [0.0]
    assert reasons == [[]]


def test_not_fitted_raises():
    with pytest.raises(NotFittedError):
        ProfileScorer().score({"arch": "flat"})


def test_validate_profile_reports_problems():
    good = {"arch": "flat", "pain_areas": ["lower-back"], "height_cm": 180}
    assert validate_profile(good, VOCABULARY) == []
    problems = validate_profile({"arch": "round", "pain_areas": ["toes"], "shoe": 42}, VOCABULARY)
    assert problems == [
        "arch: unknown value 'round'",
        "pain_areas: unknown value 'toes'",
        "unknown profile key 'shoe'",
    ]


# ------------------------------------------------------------------ bad rule files
GOOD_RULE = """
  - id: flat
    when: {arch: [flat]}
    want: {attribute: stability, values: [stability]}
    weight: 2.0
    reason: "Stability for flat feet"
"""


def write_rules(tmp_path, body):
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nrules:" + body, encoding="utf-8")
    return path


def test_custom_rules_file_is_used(tmp_path):
    path = write_rules(tmp_path, GOOD_RULE)
    scorer = ProfileScorer(rules_path=path, vocabulary=VOCABULARY).fit(IDS, list(ITEMS.values()))
    assert [rule.id for rule in scorer.rules_] == ["flat"]
    scores, reasons = scorer.score({"arch": "flat"})
    assert reasons[IDS.index("steady-walker")] == [("Stability for flat feet", 2.0)]


@pytest.mark.parametrize(
    "rule, message",
    [
        (GOOD_RULE.replace("when:", "wehn:"), r"rule 'flat' \(#1\): unknown key 'wehn'"),
        (GOOD_RULE.replace("arch: [flat]", "arch: [round]"), r"'flat'.*bad value 'round' for 'arch'"),
        (GOOD_RULE.replace("arch: [flat]", "shoe: [x]"), r"'flat'.*unknown condition 'shoe'"),
        (GOOD_RULE.replace("stability, values", "colour, values"), r"'flat'.*unknown attribute 'colour'"),
        (
            GOOD_RULE.replace("values: [stability]", "values: [wobbly]"),
            r"'flat'.*bad value 'wobbly' for attribute 'stability'",
        ),
        (GOOD_RULE.replace("weight: 2.0", "weight: heavy"), r"'flat'.*'weight' must be"),
        (GOOD_RULE.replace('    reason: "Stability for flat feet"\n', ""), r"'flat'.*missing key 'reason'"),
        (
            GOOD_RULE.replace("{attribute: stability, values: [stability]}", "{attribute: drop_mm, min: 12, max: 6}"),
            r"'flat'.*'min' 12 is above",
        ),
        (
            GOOD_RULE.replace("{attribute: stability, values: [stability]}", "{attribute: drop_mm, values: [6]}"),
            r"'flat'.*takes 'min' and/or 'max'",
        ),
        (GOOD_RULE.replace("arch: [flat]", "height_cm_min: tall"), r"'flat'.*must be a number"),
        (GOOD_RULE + GOOD_RULE, r"rule 'flat' \(#2\): duplicate id"),
        (
            GOOD_RULE.replace("weight: 2.0", "weight: 2.0\n    effect: hide"),
            r"'flat'.*'effect' must be one of rank, exclude, demote, got 'hide'",
        ),
        (
            GOOD_RULE.replace("weight: 2.0", "weight: 2.0\n    unless: {arch: [round]}"),
            r"'flat'.* unless: bad value 'round' for 'arch'",
        ),
        (GOOD_RULE.replace("  - id: flat\n", "  - ").replace("    when", "when", 1), r"rule #1: missing key 'id'"),
    ],
)
def test_malformed_rules_give_a_clear_error_naming_the_rule(tmp_path, rule, message):
    path = write_rules(tmp_path, rule)
    with pytest.raises(RulesError, match=message):
        ProfileScorer(rules_path=path, vocabulary=VOCABULARY).fit(IDS, list(ITEMS.values()))


def test_missing_and_unparsable_files_are_reported(tmp_path):
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(bad)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RulesError, match="'rules' list"):
        load_rules(wrong)


# ------------------------------------------------------------------ the vocabulary seam
def test_wet_weather_walkers_get_waterproof_shoes_first_with_a_reason(scorer):
    scores, reasons = scorer.score({"terrain": ["wet"]})
    assert ranked(scores)[0] == "trail-grip"
    assert reasons[IDS.index("trail-grip")] == [("Waterproof for wet-weather walks", 1.5)]
    assert not scores[IDS.index("steady-walker")]  # not waterproof: the rule says nothing


def test_a_rule_table_carries_the_vocabulary_through_rules_path(tmp_path):
    """The hybrid forwards only ``rules_path``; a RuleTable there brings the words along."""
    bad = write_rules(tmp_path, GOOD_RULE.replace("values: [stability]", "values: [wobbly]"))
    with pytest.raises(RulesError, match="bad value 'wobbly'"):
        ProfileScorer(rules_path=RuleTable(bad, VOCABULARY)).fit(IDS, list(ITEMS.values()))
    scorer = ProfileScorer(rules_path=RuleTable(None, VOCABULARY)).fit(IDS, list(ITEMS.values()))
    assert scorer.vocabulary_ is not None
    assert (
        scorer.score_vector({"terrain": ["wet", "sea"]}).tolist() == scorer.score_vector({"terrain": ["wet"]}).tolist()
    )
    with pytest.raises(ValueError, match="either"):
        ProfileScorer(rules_path=RuleTable(None, VOCABULARY), vocabulary=VOCABULARY).fit(["a"], [{}])


def test_without_a_vocabulary_only_the_shape_is_checked(tmp_path):
    """The library declares no words: new ones (here a colour) need no library release."""
    path = write_rules(
        tmp_path,
        GOOD_RULE.replace("arch: [flat]", "colour: [red]").replace(
            "stability, values: [stability]", "shade, values: [blue]"
        ),
    )
    scorer = ProfileScorer(rules_path=path).fit(["sky", "grass"], [{"shade": "blue"}, {"shade": "green"}])
    assert scorer.score_vector({"colour": "red"}).tolist() == [1.0, 0.0]
    with pytest.raises(RulesError, match="unknown key 'wehn'"):
        ProfileScorer(rules_path=write_rules(tmp_path, GOOD_RULE.replace("when:", "wehn:"))).fit(["a"], [{}])


def test_a_malformed_vocabulary_is_refused():
    with pytest.raises(RulesError, match="needs a type"):
        ProfileScorer(vocabulary={"item": {"waterproof": {"type": "yes-ish"}}}).fit(["a"], [{}])


def test_the_shipped_table_excludes_and_demotes_what_contradicts_the_profile(scorer):
    high_knees = {"arch": "high", "pain_areas": ["knees"], "terrain": ["trail"]}
    excluded, demoted = scorer.effect_masks(high_knees)
    assert IDS[int(np.flatnonzero(excluded)[0])] == "control-max" and excluded.sum() == 1
    assert demoted[IDS.index("steady-walker")] and not demoted[IDS.index("breeze-neutral")]
    # Stability is no longer pitched at the knees of a high-arched visitor...
    _, reasons = scorer.score(high_knees)
    texts = {text for pairs in reasons for text, _ in pairs}
    assert "Stability keeps your knees aligned" not in texts
    assert "A neutral shoe lets high-arched feet roll naturally" in texts
    # ...but still is for anyone else with sore knees, and nothing is excluded for them.
    _, reasons = scorer.score({"arch": "neutral", "pain_areas": ["knees"]})
    assert ("Stability keeps your knees aligned", 1.0) in reasons[IDS.index("steady-walker")]
    assert not any(mask.any() for mask in scorer.effect_masks({"arch": "neutral"}))
    assert not any(mask.any() for mask in scorer.effect_masks(None))


def test_exclusions_and_demotions_add_nothing_to_the_score(tmp_path):
    path = write_rules(
        tmp_path,
        GOOD_RULE
        + """  - id: no-control
    when: {arch: [flat]}
    want: {attribute: stability, values: [motion-control]}
    effect: exclude
    reason: "Not this one"
  - id: not-neutral
    when: {arch: [flat]}
    unless: {pain_areas_any: [knees]}
    want: {attribute: stability, values: [neutral]}
    effect: demote
    reason: "Later"
""",
    )
    scorer = ProfileScorer(rules_path=path, vocabulary=VOCABULARY).fit(IDS, list(ITEMS.values()))
    assert [r.effect for r in scorer.rules_] == ["rank", "exclude", "demote"]
    scores, reasons = scorer.score({"arch": "flat"})
    assert scores[IDS.index("control-max")] == 0.0 and reasons[IDS.index("control-max")] == []
    excluded, demoted = scorer.effect_masks({"arch": "flat"})
    assert [IDS[i] for i in np.flatnonzero(excluded)] == ["control-max"]
    assert [IDS[i] for i in np.flatnonzero(demoted)] == ["breeze-neutral", "trail-grip"]
    # ``unless`` switches the demotion off.
    assert not scorer.effect_masks({"arch": "flat", "pain_areas": ["knees"]})[1].any()
