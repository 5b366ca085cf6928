"""The experiment statistics find a true lift and, where there is none, cry wolf about 5% of the
time: checked by simulation with a known truth."""

from __future__ import annotations

import numpy as np
import pytest

from shop.recommendations.experiment_stats import (
    Moments,
    compare_means,
    compare_rates,
    may_declare,
    mean,
    rate,
)

RUNS = 600


def simulate_rates(p_control: float, p_variant: float, n: int, seed: int) -> float:
    """Share of simulated experiments whose click-through test is significant."""
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(RUNS):
        a, b = rng.binomial(n, p_control), rng.binomial(n, p_variant)
        hits += compare_rates(int(a), n, int(b), n).significant()
    return hits / RUNS


def simulate_revenue(lift: float, n: int, seed: int) -> float:
    """Share significant for revenue per visitor: 3% of visitors buy, order values log-normal."""
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(RUNS // 2):
        groups = []
        for factor in (1.0, 1.0 + lift):
            buys = rng.random(n) < 0.03
            values = np.where(buys, rng.lognormal(mean=4.3, sigma=0.5, size=n) * factor, 0.0)
            groups.append(Moments(n, float(values.sum()), float((values**2).sum())))
        hits += compare_means(*groups).significant()
    return hits / (RUNS // 2)


def test_no_true_difference_is_significant_about_five_percent_of_the_time():
    assert 0.025 <= simulate_rates(0.05, 0.05, 4000, seed=1) <= 0.08


def test_a_true_lift_in_click_through_is_found():
    assert simulate_rates(0.05, 0.065, 6000, seed=2) >= 0.85  # a 30% lift


def test_revenue_per_visitor_false_positives_near_five_percent_and_a_lift_found():
    assert 0.02 <= simulate_revenue(0.0, 3000, seed=3) <= 0.09
    assert simulate_revenue(0.8, 6000, seed=4) >= 0.8


def test_the_wilson_interval_brackets_the_rate_and_stays_in_zero_one():
    estimate = rate(3, 10)
    assert estimate.low < 0.3 < estimate.high and estimate.low > 0
    assert rate(0, 50).low == pytest.approx(0.0, abs=1e-12) and rate(0, 0).value == 0.0


def test_mean_interval_and_small_groups():
    group = Moments(4, 10.0, 30.0)  # values 1,2,3,4
    assert mean(group).value == pytest.approx(2.5)
    assert mean(group).low < 2.5 < mean(group).high
    assert compare_means(Moments(1, 5, 25), Moments(1, 6, 36)).p_value == 1.0


def test_a_winner_needs_the_minimum_sample_in_every_variant():
    assert not may_declare([1200, 999], 1000)
    assert may_declare([1000, 1500], 1000)
    assert not may_declare([], 10)
