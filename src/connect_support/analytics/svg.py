"""Charts as server-rendered SVG: no script, readable without colour (a data table goes
with every chart), titled and described for screen readers.

Colours are a fixed palette (dark enough for 3:1 against white); a series keeps its
colour by position, and "Other" is always grey. Lines also differ by dash pattern.
"""

from __future__ import annotations

import math
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from connect_support.analytics.selectors import Chart, Series

PALETTE = ("#0b6aa2", "#b54f0c", "#00806a", "#a3458a", "#5b52b0", "#7a6500")
OTHER = "#5f6b7a"
INK = "#3d4450"
GRID = "#d0d5dd"
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 56
DASHES = ("", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 3"', ' stroke-dasharray="8 3 2 3"')


def series_colour(series: Series, index: int) -> str:
    return OTHER if series.key == "other" else PALETTE[index % len(PALETTE)]


def nice_ceiling(value: float) -> tuple[float, float]:
    """(top of the axis, tick step): a round number at or above ``value``, in 4 or 5 steps."""
    if value <= 0:
        return 4.0, 1.0
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = 10 * magnitude
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw_step:
            step = factor * magnitude
            break
    if step < 1 <= value:
        step = 1
    return step * math.ceil(value / step), step


def day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def chart_summary(chart: Chart) -> str:
    """What a screen reader reads instead of the picture."""
    span = f"{day_label(chart.days[0])} to {day_label(chart.days[-1])}"
    if chart.is_empty:
        return f"{chart.title}, {span}: no data in this period."
    if chart.kind == "bars":
        parts = ", ".join(f"{s.label} {_number(s.total)}" for s in chart.series)
        totals = [sum(v or 0 for v in values) for _day, values in chart.rows()]
        peak = max(range(len(totals)), key=lambda i: totals[i])
        return (
            f"{chart.title}, {span}. Totals: {parts}. "
            f"Busiest day: {day_label(chart.days[peak])} with {_number(totals[peak])} {chart.unit}."
        )
    described = []
    for s in chart.series:
        known = [v for v in s.values if v is not None]
        if known:
            described.append(
                f"{s.label}: from {_number(min(known))} to {_number(max(known))} {chart.unit}, "
                f"latest {_number(known[-1])}"
            )
        else:
            described.append(f"{s.label}: no data")
    return f"{chart.title}, {span}. " + "; ".join(described) + "."


def _y_top(chart: Chart) -> float:
    if chart.kind == "bars":
        return float(max((sum(v or 0 for v in values) for _day, values in chart.rows()), default=0))
    return float(max((v for s in chart.series for v in s.values if v is not None), default=0))


class _Plot:
    """Where values and days fall in the drawing."""

    def __init__(self, chart: Chart) -> None:
        self.width = WIDTH - LEFT - RIGHT
        self.height = HEIGHT - TOP - BOTTOM
        if chart.y_max is not None:
            self.top, self.step = float(chart.y_max), 1.0
        else:
            self.top, self.step = nice_ceiling(_y_top(chart))
        self.count = max(len(chart.days), 1)
        self.slot = self.width / self.count

    def y(self, value: float) -> float:
        return TOP + self.height - (value / self.top) * self.height if self.top else TOP + self.height

    def x(self, index: int) -> float:
        return LEFT + self.slot * index + self.slot / 2


def _axes(chart: Chart, plot: _Plot) -> list[str]:
    text = f'font-size="12" fill="{INK}"'
    out = []
    for t in range(round(plot.top / plot.step) + 1):
        tick = plot.step * t
        y = plot.y(tick)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" {text}>{escape(_number(tick))}</text>')
    middle = TOP + plot.height / 2
    out.append(
        f'<text x="16" y="{middle:.1f}" transform="rotate(-90 16 {middle:.1f})" text-anchor="middle" {text}>'
        f"{escape(chart.unit.capitalize())}</text>"
    )
    # A day label every few days, so that they never overlap.
    every = max(1, math.ceil(plot.count / 8))
    for index, day in enumerate(chart.days):
        if index % every == 0:
            out.append(
                f'<text x="{plot.x(index):.1f}" y="{TOP + plot.height + 18}" text-anchor="middle" {text}>'
                f"{escape(day_label(day))}</text>"
            )
    bottom = TOP + plot.height
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="{INK}"/>')
    out.append(f'<text x="{LEFT + plot.width / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle" {text}>Day (UTC)</text>')
    return out


def _bars(chart: Chart, plot: _Plot) -> list[str]:
    out = []
    bar_w = max(plot.slot * 0.7, 1)
    for index, (day, values) in enumerate(chart.rows()):
        base = 0.0
        for s_index, (series, value) in enumerate(zip(chart.series, values, strict=True)):
            if not value:
                continue
            top_px, base_px = plot.y(base + value), plot.y(base)
            out.append(
                f'<rect x="{plot.x(index) - bar_w / 2:.1f}" y="{top_px:.1f}" width="{bar_w:.1f}" '
                f'height="{max(base_px - top_px, 0.5):.1f}" fill="{series_colour(series, s_index)}">'
                f"<title>{escape(day_label(day))}: {escape(series.label)} {escape(_number(value))}</title></rect>"
            )
            base += value
    return out


def _lines(chart: Chart, plot: _Plot) -> list[str]:
    out = []
    for s_index, series in enumerate(chart.series):
        colour = series_colour(series, s_index)
        # A day without data breaks the line instead of drawing it down to zero.
        segments: list[list[str]] = [[]]
        for index, value in enumerate(series.values):
            if value is None:
                segments.append([])
            else:
                segments[-1].append(f"{plot.x(index):.1f},{plot.y(value):.1f}")
        for points in segments:
            if len(points) > 1:
                out.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2.5"'
                    f"{DASHES[s_index % len(DASHES)]}/>"
                )
        for index, value in enumerate(series.values):
            if value is not None:
                out.append(
                    f'<circle cx="{plot.x(index):.1f}" cy="{plot.y(value):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{escape(day_label(chart.days[index]))}: {escape(series.label)} "
                    f"{escape(_number(value))} {escape(chart.unit)}</title></circle>"
                )
    return out


def chart_svg(chart: Chart, *, element_id: str) -> SafeString:
    """The chart as an ``<svg>`` element, sized by its ``viewBox``."""
    plot = _Plot(chart)
    out = [
        f'<svg class="chart__svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{element_id}-title" aria-describedby="{element_id}-desc" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{element_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{element_id}-desc">{escape(chart_summary(chart))}</desc>',
        *_axes(chart, plot),
        *(_bars(chart, plot) if chart.kind == "bars" else _lines(chart, plot)),
        "</svg>",
    ]
    # Every text above is escaped and every number formatted here.
    return mark_safe("".join(out))  # noqa: S308
