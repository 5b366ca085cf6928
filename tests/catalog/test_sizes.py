"""The size chart: one conversion for the guide, the variant labels and the profile form."""

from __future__ import annotations

import pytest

from catalog import sizes
from catalog.vocabulary import eu_to_uk, eu_to_us, uk_to_eu, us_to_eu


def test_the_chart_lists_every_half_size_the_profile_accepts():
    chart = sizes.chart()
    assert [row.eu for row in chart[:3]] == [35, 35.5, 36]
    assert chart[-1].eu == 50 and len(chart) == (50 - 35) * 2 + 1


@pytest.mark.parametrize(("eu", "uk", "us_men", "us_women", "foot_cm"), [
    (38, 4.5, 5.5, 7, 24.0),
    (42, 8.5, 9.5, 11, 26.7),
    (44.5, 11, 12, 13.5, 28.3),
])
def test_a_row_converts_like_the_catalog_labels(eu, uk, us_men, us_women, foot_cm):
    row = sizes.size_row(eu)
    assert (row.uk, row.us_men, row.us_women, row.foot_cm) == (uk, us_men, us_women, foot_cm)
    assert (row.uk, row.us_men) == (eu_to_uk(eu), eu_to_us(eu))  # the same chart, not a copy
    assert uk_to_eu(row.uk) == eu and us_to_eu(row.us_men) == eu


def test_foot_lengths_grow_with_the_size_and_every_foot_gets_the_first_size_long_enough():
    chart = sizes.chart()
    lengths = [row.foot_cm for row in chart]
    assert lengths == sorted(lengths) and len(set(lengths)) == len(lengths)
    for before, row in zip(chart, chart[1:], strict=False):
        assert sizes.eu_for_foot_length(row.foot_cm) == row.eu  # exactly its printed length
        assert sizes.eu_for_foot_length(round(before.foot_cm + 0.1, 1)) == row.eu  # a mm longer
    assert sizes.eu_for_foot_length(sizes.MIN_FOOT_CM) == sizes.MIN_EU
    assert sizes.eu_for_foot_length(sizes.MAX_FOOT_CM) == sizes.MAX_EU


def test_every_width_of_the_vocabulary_is_explained():
    assert [w.code for w in sizes.WIDTHS] == ["narrow", "regular", "wide", "extra-wide"]
    assert all(w.men and w.women and w.fits for w in sizes.WIDTHS)
