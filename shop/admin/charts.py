"""Small SVG charts drawn on the server: no chart library, no script, nothing the CSP blocks.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (what a screen reader
announces); the page shows the same numbers in a table. Colours come from classes styled in
admin.css (``chart-series-<n>``), never from ``style=`` attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640
LEFT, RIGHT, TOP = 64, 12, 16
#: Height and bottom margin (axis labels, legend) of each kind of chart.
LINES = (250, 56)
BARS = (320, 124)


def _scale(values: Sequence[float]) -> float:
    """A round top for the y axis (1, 2 or 5 times a power of ten) above the largest value."""
    top = max((float(v) for v in values), default=0.0)
    if top <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= top:
        step *= 10
    while step > top and step > 1e-9:
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= top:
            return step * factor
    return step * 10


def _number(value: float) -> str:
    if value >= 10 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _frame(chart_id: str, title: str, desc: str, top: float, body: list[str], size: tuple[int, int]) -> Markup:
    height, bottom = size
    plot_h = height - TOP - bottom
    grid = []
    for share in (0, 0.5, 1):
        y = TOP + plot_h * (1 - share)
        grid.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        grid.append(f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{escape(_number(top * share))}</text>')
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
        + "".join(grid) + "".join(body) + "</svg>"
    )


def line_chart(chart_id: str, title: str, labels: Sequence[str], series: dict[str, Sequence[float | Decimal]],
               ) -> Markup:
    """Daily lines: one polyline per series over ``labels`` (the days), a legend below."""
    values = [float(v) for points in series.values() for v in points]
    top = _scale(values)
    height, bottom = LINES
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - bottom
    n = len(labels)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v) -> float:
        return TOP + plot_h * (1 - float(v) / top)

    body = []
    key_x = LEFT
    for index, (name, points) in enumerate(series.items()):
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(points))
        body.append(f'<polyline class="chart-line chart-series-{index}" fill="none" points="{coords}"/>')
        if n == 1:
            body.append(f'<circle class="chart-dot chart-series-{index}" cx="{x(0):.1f}" '
                        f'cy="{y(points[0]):.1f}" r="3"/>')
        body.append(f'<rect class="chart-key chart-series-{index}" x="{key_x}" y="{height - 16}" '
                    f'width="12" height="12"/><text class="chart-label" x="{key_x + 16}" '
                    f'y="{height - 6}">{escape(name)}</text>')
        key_x += 16 + 8 * len(name) + 24
    for i in sorted({0, n - 1}):
        anchor = "start" if i == 0 and n > 1 else "end" if n > 1 else "middle"
        body.append(f'<text class="chart-axis" x="{x(i):.1f}" y="{height - bottom + 16}" '
                    f'text-anchor="{anchor}">{escape(labels[i])}</text>')
    desc = "; ".join(f"{name}: from {_number(float(points[0]))} on {labels[0]} to "
                     f"{_number(float(points[-1]))} on {labels[-1]}, at most {_number(max(float(v) for v in points))}"
                     for name, points in series.items() if len(points)) or "No data."
    return _frame(chart_id, title, desc + " The table below lists every day.", top, body, LINES)


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | Decimal]) -> Markup:
    """One bar per label (the slots), its value above it."""
    top = _scale(values)
    height, bottom = BARS
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - bottom
    slot_w = plot_w / max(len(labels), 1)
    bar_w = max(slot_w * 0.6, 2)
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * float(value) / top
        x = LEFT + slot_w * i + (slot_w - bar_w) / 2
        body.append(f'<rect class="chart-bar chart-series-0" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" '
                    f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(label)}: {escape(_number(float(value)))}'
                    f'</title></rect>')
        lx, ly = x + bar_w / 2, height - bottom + 14
        body.append(f'<text class="chart-axis" x="{lx:.1f}" y="{ly}" text-anchor="end" '
                    f'transform="rotate(-35 {lx:.1f} {ly})">{escape(label)}</text>')
    desc = "; ".join(f"{label}: {_number(float(value))}" for label, value in zip(labels, values, strict=True))
    return _frame(chart_id, title, desc or "No data.", top, body, BARS)
