"""The server-side SVG charts: accessible, escaped, scaled, and free of anything the CSP blocks."""

from __future__ import annotations

import re
from decimal import Decimal

from shop.admin import charts


def test_a_line_chart_has_a_title_a_description_and_one_line_per_series():
    svg = str(charts.line_chart("c1", "Clicks <per> day", ["2026-03-10", "2026-03-11", "2026-03-12"],
                                {"Impressions": [10, 40, 20], "Clicks": [1, 4, 2]}))
    assert svg.startswith('<svg class="chart" id="c1"') and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert "<title id=\"c1-title\">Clicks &lt;per&gt; day</title>" in svg
    assert "Impressions: from 10 on 2026-03-10 to 20 on 2026-03-12, at most 40" in svg
    assert svg.count("<polyline") == 2 and "style=" not in svg and "<script" not in svg
    # the y axis tops out at a round 50 above the largest value (40): 40 sits at 4/5 of the height
    points = re.search(r'<polyline class="chart-line chart-series-0" fill="none" points="([^"]+)"', svg).group(1)
    ys = [float(pair.split(",")[1]) for pair in points.split()]
    bottom, top = 250 - 56, 16
    assert abs((bottom - ys[1]) / (bottom - top) - 0.8) < 0.01


def test_a_single_day_is_a_dot_and_zeros_do_not_divide_by_zero():
    svg = str(charts.line_chart("c2", "Revenue", ["2026-03-10"], {"Revenue": [Decimal("0.00")]}))
    assert "<circle" in svg and "nan" not in svg.lower()


def test_bars_are_proportional_and_labelled():
    svg = str(charts.bar_chart("c3", "Revenue per slot", ["home", "similar"], [Decimal("100.00"), Decimal("50.00")]))
    heights = [float(h) for h in re.findall(r'<rect class="chart-bar[^>]* height="([0-9.]+)"', svg)]
    assert len(heights) == 2 and abs(heights[0] / heights[1] - 2) < 0.01
    assert "<title>home: 100</title>" in svg and ">similar</text>" in svg
    assert "home: 100; similar: 50" in svg  # the description reads the numbers out
