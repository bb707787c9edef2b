"""A server-rendered SVG bar chart: matching documents per year (no JavaScript needed).

The data is the search result's ``year`` facet, so the chart costs no extra query. Every label
is escaped here because facet values come from the documents.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from indexer.records import FacetValue

# Geometry in SVG user units; the SVG scales to its container through viewBox, so a phone
# shows the same chart narrower.
_WIDTH = 640
_HEIGHT = 160  # short: the chart sits above the results
_TOP = 22  # room for the count above the tallest bar
_BOTTOM = 30  # room for the year label
_SIDE = 30  # half a year label: the first and last labels must not be cut off
_MAX_BAR = 56
_LABEL_W = 60
_MAX_SPAN = 100  # years; laws in the shared corpora go back to 1958
_LABEL_STEPS = (1, 2, 5, 10, 20, 50, 100)  # label every n-th year, n a round number
_COUNT_SLOT = 30  # narrower bars would print overlapping counts (the <title> still has it)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    href: str = ""
    selected: bool = False


def year_bars(values: Sequence[FacetValue], href: Callable[[str], str] | None = None) -> list[Bar]:
    """Bars in chronological order, years without a match as empty bars so that the axis is a
    time line; facet values that are not a 4-digit year are left out."""
    years = {v.value: v for v in values if len(v.value) == 4 and v.value.isdigit()}
    if not years:
        return []
    first, last = int(min(years)), int(max(years))
    # An odd outlier date (a 1900 typo) would make hundreds of empty bars: then only real years.
    span = range(first, last + 1) if last - first < _MAX_SPAN else sorted(map(int, years))
    bars = []
    for year in map(str, span):
        v = years.get(year)
        if v is None:
            bars.append(Bar(year, 0))
        else:
            bars.append(Bar(year, v.count, href(year) if href else "", v.selected))
    return bars


def bar_chart_svg(bars: Sequence[Bar], title: str) -> Markup:
    """One ``<rect>`` per bar, each with its count and label; empty Markup when there is no bar."""
    if not bars:
        return Markup("")
    peak = max(b.count for b in bars) or 1
    slot = (_WIDTH - 2 * _SIDE) / len(bars)
    bar_w = min(_MAX_BAR, slot * 0.7)
    plot_h = _HEIGHT - _TOP - _BOTTOM
    # Long ranges would print overlapping year labels: label only years divisible by a round
    # step. A label is up to _LABEL_W wide (the phone stylesheet enlarges the text to 24 units
    # so it stays legible when the chart is scaled down to 340 px).
    needed = math.ceil(len(bars) * _LABEL_W / (_WIDTH - 2 * _SIDE))
    step = next((s for s in _LABEL_STEPS if s >= needed), needed)
    summary = "；".join(f"{b.label}年 {b.count} 篇" for b in bars if b.count)
    show_counts = slot >= _COUNT_SLOT
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(summary)}</desc>',
        f'<line class="chart-axis" x1="{_SIDE}" y1="{_HEIGHT - _BOTTOM}" '
        f'x2="{_WIDTH - _SIDE}" y2="{_HEIGHT - _BOTTOM}"/>',
    ]
    for i, bar in enumerate(bars):
        h = max(1.0, plot_h * bar.count / peak) if bar.count else 0.0
        cx = _SIDE + slot * (i + 0.5)
        x = cx - bar_w / 2
        y = _HEIGHT - _BOTTOM - h
        cls = "chart-bar selected" if bar.selected else "chart-bar"
        rect = (
            f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
            f"<title>{escape(bar.label)}：{bar.count} 篇</title></rect>"
        )
        if bar.count and show_counts:
            rect += f'<text class="chart-count" x="{cx:.1f}" y="{y - 5:.1f}">{bar.count}</text>'
        if (int(bar.label) if bar.label.isdigit() else i) % step == 0:
            rect += (
                f'<text class="chart-label" x="{cx:.1f}" y="{_HEIGHT - 6}">'
                f"{escape(bar.label)}</text>"
            )
        if bar.href:
            # A pointer shortcut only: out of the tab order (a 60-year time line would be 60 tab
            # stops before the results) and inside role="img"; the year checkboxes of the facet
            # sidebar are the keyboard and screen-reader way to the same filter.
            rect = f'<a href="{escape(bar.href)}" tabindex="-1">{rect}</a>'
        parts.append(rect)
    parts.append("</svg>")
    return Markup("".join(parts))
