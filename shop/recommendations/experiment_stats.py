"""The statistics of an A/B experiment: rates and means with 95% intervals, and tests against
the control. Plain numbers in and out (scipy.stats), so a simulation can check them.

- A rate (click-through, add-to-cart) is compared with a two-sided two-proportion z-test on
  the pooled rate; its interval is Wilson's, the difference's the unpooled normal one.
- Revenue per visitor (every exposed visitor counts, most with 0) is compared with Welch's
  t-test; intervals are t intervals of the mean.
- A winner may be declared only when every variant has ``min_sample`` visitors and the
  difference is significant at ``alpha``: looking before then inflates false positives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

ALPHA = 0.05
Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """A variant against the control: the difference, its interval and the test's p-value."""

    difference: float
    low: float
    high: float
    p_value: float

    def significant(self, alpha: float = ALPHA) -> bool:
        return self.p_value < alpha


def rate(successes: int, trials: int) -> Estimate:
    """Wilson's 95% interval of a proportion (sensible near 0 and for small samples)."""
    if trials <= 0:
        return Estimate(0.0, 0.0, 0.0)
    p = successes / trials
    denominator = 1 + Z95**2 / trials
    centre = (p + Z95**2 / (2 * trials)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half))


def compare_rates(s_control: int, n_control: int, s_variant: int, n_variant: int) -> Comparison:
    """Two-proportion z-test (pooled) of variant minus control."""
    if n_control <= 0 or n_variant <= 0:
        return Comparison(0.0, 0.0, 0.0, 1.0)
    p1, p2 = s_control / n_control, s_variant / n_variant
    pooled = (s_control + s_variant) / (n_control + n_variant)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_control + 1 / n_variant))
    p_value = 1.0 if se_pooled == 0 else float(2 * stats.norm.sf(abs(p2 - p1) / se_pooled))
    se = math.sqrt(p1 * (1 - p1) / n_control + p2 * (1 - p2) / n_variant)
    return Comparison(p2 - p1, p2 - p1 - Z95 * se, p2 - p1 + Z95 * se, p_value)


@dataclass(frozen=True)
class Moments:
    """What a mean test needs of one group: size, sum and sum of squares."""

    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        if self.n < 2:
            return 0.0
        return max(0.0, (self.squares - self.total**2 / self.n) / (self.n - 1))


def mean(group: Moments) -> Estimate:
    if group.n < 2:
        return Estimate(group.mean, group.mean, group.mean)
    half = float(stats.t.ppf(0.975, group.n - 1)) * math.sqrt(group.variance / group.n)
    return Estimate(group.mean, group.mean - half, group.mean + half)


def compare_means(control: Moments, variant: Moments) -> Comparison:
    """Welch's t-test of variant minus control."""
    difference = variant.mean - control.mean
    if control.n < 2 or variant.n < 2:
        return Comparison(difference, difference, difference, 1.0)
    v1, v2 = control.variance / control.n, variant.variance / variant.n
    if v1 + v2 == 0:
        return Comparison(difference, difference, difference, 1.0 if difference == 0 else 0.0)
    result = stats.ttest_ind_from_stats(variant.mean, math.sqrt(variant.variance), variant.n,
                                        control.mean, math.sqrt(control.variance), control.n, equal_var=False)
    dof = (v1 + v2) ** 2 / (v1**2 / (control.n - 1) + v2**2 / (variant.n - 1))
    half = float(stats.t.ppf(0.975, dof)) * math.sqrt(v1 + v2)
    return Comparison(difference, difference - half, difference + half, float(result.pvalue))


def may_declare(sizes: list[int], min_sample: int) -> bool:
    """Whether every variant has reached the minimum sample."""
    return bool(sizes) and min(sizes) >= min_sample
