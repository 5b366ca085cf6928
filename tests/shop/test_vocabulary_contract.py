"""One vocabulary: the catalog's registry, the profile schema, the API, the docs, the rule
table and the trained recommender all agree on it, and the recommender keeps no copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from marshmallow import validate

from catalog import vocabulary
from catalog.io import CSV_COLUMNS
from catalog.schemas import AttributesSchema
from recommender.profile import Vocabulary, load_rules
from shop.api.schemas import FacetsSchema
from shop.profile.schema import ProfileSchema
from shop.schemas import ProductQueryArgs

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = vocabulary.as_data()
RULES = load_rules(vocabulary=REGISTRY)  # raises RulesError if any word is not the registry's


def _validators(field, kind):
    inner = getattr(field, "inner", None)
    return [v for f in (field, inner) if f is not None for v in f.validators if isinstance(v, kind)]


def _choices(field) -> tuple[str, ...] | None:
    found = _validators(field, validate.OneOf)
    return tuple(found[0].choices) if found else None


def test_every_rule_names_registry_attributes_and_values():
    item = Vocabulary.from_data(REGISTRY).item
    for rule in RULES:
        for want in rule.want:
            assert want.attribute in item, rule.id
            allowed = item[want.attribute].values
            if want.values is not None and want.attribute != "category":
                expected = {"true", "false"} if item[want.attribute].type == "flag" else allowed
                assert want.values <= expected, rule.id


def _when_words(when):
    for key, value in when.items():
        if key == "any_of":
            for sub in value:
                yield from _when_words(sub)
        elif isinstance(value, float):
            yield key[:-4], None
        else:
            yield key.removesuffix("_any"), value


def test_every_rule_condition_is_a_profile_question_with_its_answers():
    for rule in RULES:
        for trait, values in _when_words(rule.when):
            if trait == "bmi":  # derived by the recommender from height and weight
                continue
            question = vocabulary.QUESTIONS[trait]
            if values is not None:
                assert values <= set(question.codes), rule.id


def test_every_profile_field_takes_its_choices_and_bounds_from_the_registry():
    fields = ProfileSchema().fields
    assert list(fields) == list(vocabulary.QUESTIONS)
    for name, question in vocabulary.QUESTIONS.items():
        if question.values:
            assert _choices(fields[name]) == question.codes, name
        else:
            (bounds,) = _validators(fields[name], validate.Range)
            assert (bounds.min, bounds.max) == question.bounds, name


def test_a_question_built_on_an_attribute_offers_all_its_values():
    for question in vocabulary.QUESTIONS.values():
        if question.attribute:
            assert set(vocabulary.ATTRIBUTES[question.attribute].codes) <= set(question.codes)


def test_data_files_and_the_api_filters_use_the_registry():
    attrs = AttributesSchema().fields
    assert list(attrs) == list(vocabulary.PRODUCT_ATTRIBUTES)
    for name, field in attrs.items():
        assert _choices(field) == (vocabulary.ATTRIBUTES[name].codes or None), name
    args = ProductQueryArgs().fields
    for spec in vocabulary.FILTERS:
        assert spec.filter in args and spec.filter in FacetsSchema().fields
        assert _choices(args[spec.filter]) == (spec.codes or None), spec.name
    sizes = vocabulary.ATTRIBUTES["size_eu"].bounds
    (size_range,) = _validators(args["size"], validate.Range)
    assert (size_range.min, size_range.max) == sizes


def test_the_docs_table_and_csv_columns_are_the_registry():
    doc = (ROOT / "docs" / "catalog-format.md").read_text(encoding="utf-8")
    assert vocabulary.markdown_table() in doc
    assert "`" + ",".join(CSV_COLUMNS) + "`" in doc


@pytest.mark.parametrize("path", sorted((ROOT / "recommender").rglob("*.py")), ids=lambda p: p.name)
def test_the_recommender_keeps_no_copy_of_the_words(path):
    source = path.read_text(encoding="utf-8")
    assert "import catalog" not in source and "from catalog" not in source
    for word in ("motion-control", "extra-wide", "lower-back-pain", "plantar-fasciitis", "under-30"):
        assert f'"{word}"' not in source, f"{path.name} lists {word!r}: take it from the vocabulary"


def test_the_shop_trains_with_the_catalog_vocabulary(demo):
    from rec_helpers import install_model

    from recommender.persistence import load_artifact

    model, _header = load_artifact(install_model(demo))
    assert model.profile_.vocabulary_ == Vocabulary.from_data(REGISTRY)
