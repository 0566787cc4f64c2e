"""Server-rendered SVG charts for the statistics pages: no JavaScript, no inline styles.

The Content-Security-Policy forbids scripts and ``style=""``, so charts are plain SVG strings
built here and dropped into templates: colours come from presentation attributes (``fill``),
which the site's CSS can override through the ``class`` names, and a ``viewBox`` makes them
scale on screen and in print. Every caller-supplied string (titles, labels) is XML-escaped
and stripped of characters XML cannot carry, so question text such as
``<script>alert(1)</script>`` or Cyrillic labels render as text and nothing else.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

__all__ = ["bar_chart_svg", "histogram_svg"]

WIDTH = 640
HISTOGRAM_HEIGHT = 320
# The histogram's plot area: the margins hold the title, the tick labels and the axis labels.
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_BOTTOM = 64, 16, 40, 56
_PLOT_WIDTH = WIDTH - _PLOT_LEFT - _PLOT_RIGHT
_PLOT_HEIGHT = HISTOGRAM_HEIGHT - _PLOT_TOP - _PLOT_BOTTOM
_PLOT_BASE = _PLOT_TOP + _PLOT_HEIGHT
FONT = 'font-family="system-ui, sans-serif" font-size="12"'
BAR_FILL = "#4a78b0"
# Fallback colours for the option chart; the stylesheet may override them by class.
CLASS_FILLS = {
    "correct": "#2e7d32",
    "incorrect": "#c62828",
    "partial": "#ef8f00",
    "none": "#9e9e9e",
}
# Longer option labels are shortened on the chart; <title> keeps them whole. At 12px a
# Cyrillic glyph averages about 7.5px, so 32 characters fill the 242px label column; 40
# overflowed it and long labels were cut off at the left edge of the image.
LABEL_CHARS = 32
LABEL_COLUMN = 250
AVERAGE_GLYPH_WIDTH = 7.5

# Characters XML 1.0 cannot contain at all (most C0 controls, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_CLASS_TOKEN = re.compile(r"[^A-Za-z0-9_-]")


def _text(value: object) -> str:
    """Escape a value for element content."""
    return escape(_NOT_XML.sub("", str(value)))


def _attr(value: object) -> str:
    """Escape a value for a double- or single-quoted attribute."""
    return escape(_NOT_XML.sub("", str(value)), {'"': "&quot;", "'": "&apos;"})


def _class_token(value: str) -> str:
    # A caller's class name must stay one predictable token: no spaces, no quotes.
    return _NOT_CLASS_TOKEN.sub("-", value) or "none"


def _number(value: float) -> str:
    """Short human form: 10, 2.5, 0.33 (no trailing zeros)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open_svg(kind: str, height: int, title: str, description: str, seed: str) -> str:
    # aria-labelledby needs ids that differ between charts on one page yet stay
    # deterministic, so they derive from the chart's content.
    uid = hashlib.sha1(seed.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-labelledby="{kind}-{uid}-title {kind}-{uid}-desc" '
        f'class="chart chart-{kind}" {FONT}>'
        f'<title id="{kind}-{uid}-title">{_text(title)}</title>'
        f'<desc id="{kind}-{uid}-desc">{_text(description)}</desc>'
    )


def _no_data_svg(kind: str, title: str, no_data_text: str) -> str:
    height = 120
    return (
        _open_svg(kind, height, title, no_data_text, f"{kind}\0{title}\0empty")
        + f'<text class="chart-title" x="{WIDTH // 2}" y="24" text-anchor="middle" '
        f'font-weight="bold">{_text(title)}</text>'
        f'<text class="no-data" x="{WIDTH // 2}" y="{height // 2 + 12}" text-anchor="middle" '
        f'fill="#666">{_text(no_data_text)}</text>'
        "</svg>"
    )


def histogram_svg(
    values: Sequence[float],
    *,
    max_value: float,
    bins: int = 10,
    title: str,
    x_label: str,
    y_label: str,
    description: str | None = None,
    no_data_text: str = "No data",
) -> str:
    """A histogram of ``values`` over ``bins`` equal bins from 0 to ``max_value``.

    Bins are half-open [a, b) except the last, which includes ``max_value``; values outside
    0..max_value are counted in the first or last bin so that none silently disappears (NaN
    is skipped). Only the bins are drawn, so 100,000 values make no bigger an SVG than 10.
    A ``max_value`` of 0 or less (a quiz worth nothing) falls back to a 0..1 axis.
    ``description`` replaces the generated English summary in <desc> (e.g. a translation).
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    if not values:
        return _no_data_svg("histogram", title, no_data_text)
    values = [value for value in values if not math.isnan(value)]
    if not values:
        return _no_data_svg("histogram", title, no_data_text)
    upper = max_value if max_value > 0 and math.isfinite(max_value) else 1.0
    counts = _bin_counts(values, upper, bins)
    edges = [upper * i / bins for i in range(bins + 1)]
    if description is None:
        tallest = max(counts)
        busiest = counts.index(tallest)
        description = (
            f"Histogram of {len(values)} values in {bins} bins from 0 to {_number(upper)}; "
            f"the fullest bin, {_number(edges[busiest])}–{_number(edges[busiest + 1])}, "
            f"holds {tallest}."
        )
    seed = f"histogram\0{title}\0{upper}\0{counts}"
    return "".join(
        [
            _open_svg("histogram", HISTOGRAM_HEIGHT, title, description, seed),
            f'<text class="chart-title" x="{WIDTH // 2}" y="22" text-anchor="middle" '
            f'font-weight="bold">{_text(title)}</text>',
            *_histogram_bars(counts, edges),
            *_histogram_axes(edges, max(counts), x_label, y_label),
            "</svg>",
        ]
    )


def _bin_counts(values: Sequence[float], upper: float, bins: int) -> list[int]:
    counts = [0] * bins
    for value in values:
        if value <= 0:
            counts[0] += 1
        elif value >= upper:
            counts[-1] += 1
        else:
            counts[min(int(value * bins / upper), bins - 1)] += 1
    return counts


def _histogram_bars(counts: list[int], edges: list[float]) -> list[str]:
    """Each bin's bar (with its range and count as a tooltip) and the count above it."""
    tallest = max(counts)
    bar_width = _PLOT_WIDTH / len(counts)
    parts = []
    for i, count in enumerate(counts):
        bar_height = _PLOT_HEIGHT * count / tallest
        x = _PLOT_LEFT + i * bar_width
        y = _PLOT_BASE - bar_height
        low, high = _number(edges[i]), _number(edges[i + 1])
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{y:.1f}" width="{bar_width - 2:.1f}" '
            f'height="{bar_height:.1f}" fill="{BAR_FILL}"><title>{low}–{high}: {count}</title>'
            "</rect>"
        )
        parts.append(
            f'<text class="count" x="{x + bar_width / 2:.1f}" y="{y - 4:.1f}" '
            f'text-anchor="middle">{count}</text>'
        )
    return parts


def _histogram_axes(edges: list[float], tallest: int, x_label: str, y_label: str) -> list[str]:
    """Bin-edge ticks, both axes with their 0 and maximum ticks, and the axis labels."""
    left, top, base = _PLOT_LEFT, _PLOT_TOP, _PLOT_BASE
    bar_width = _PLOT_WIDTH / (len(edges) - 1)
    parts = [
        f'<text class="tick" x="{left + i * bar_width:.1f}" y="{base + 16}" '
        f'text-anchor="middle">{_number(edge)}</text>'
        for i, edge in enumerate(edges)
    ]
    parts += [
        f'<line class="axis" x1="{left}" y1="{base}" x2="{WIDTH - _PLOT_RIGHT}" y2="{base}" '
        'stroke="#333"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#333"/>',
        f'<text class="tick" x="{left - 6}" y="{base}" text-anchor="end">0</text>',
        f'<text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end">{tallest}</text>',
        f'<text class="axis-label" x="{left + _PLOT_WIDTH / 2:.1f}" y="{HISTOGRAM_HEIGHT - 12}" '
        f'text-anchor="middle">{_text(x_label)}</text>',
        f'<text class="axis-label" x="16" y="{top + _PLOT_HEIGHT / 2:.1f}" '
        f'text-anchor="middle" transform="rotate(-90 16 {top + _PLOT_HEIGHT / 2:.1f})">'
        f"{_text(y_label)}</text>",
    ]
    return parts


def bar_chart_svg(
    bars: Sequence[tuple[str, int, str]],
    *,
    title: str,
    description: str | None = None,
    no_data_text: str = "No data",
) -> str:
    """Horizontal bars, one per (label, count, css_class), e.g. how often each option was chosen.

    Horizontal, because option labels are long sentences. ``css_class`` ("correct",
    "incorrect", "partial", "none", …) lands in the bar's class and picks a fallback fill;
    it is reduced to one safe token. ``description`` replaces the generated <desc>.
    """
    if not bars:
        return _no_data_svg("bars", title, no_data_text)
    if any(count < 0 for _, count, _ in bars):
        raise ValueError("bar counts cannot be negative")

    row, top, bottom = 28, 40, 16
    label_width, count_width = LABEL_COLUMN, 48
    height = top + row * len(bars) + bottom
    plot_width = WIDTH - label_width - count_width - 16
    tallest = max(count for _, count, _ in bars) or 1  # all zero: draw empty bars
    if description is None:
        description = "; ".join(f"{label}: {count}" for label, count, _ in bars)
    seed = f"bars\0{title}\0{bars!r}"
    parts = [
        _open_svg("bars", height, title, description, seed),
        f'<text class="chart-title" x="{WIDTH // 2}" y="22" text-anchor="middle" '
        f'font-weight="bold">{_text(title)}</text>',
    ]
    for i, (label, count, css_class) in enumerate(bars):
        token = _class_token(css_class)
        y = top + i * row
        bar_length = plot_width * count / tallest
        shown = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        parts.append(
            f'<g class="bar-row {_attr(token)}"><title>{_text(label)}: {count}</title>'
            f'<text class="label" x="{label_width - 8}" y="{y + row / 2 + 4:.1f}" '
            f'text-anchor="end">{_text(shown)}</text>'
            f'<rect class="bar {_attr(token)}" x="{label_width}" y="{y + 4}" '
            f'width="{bar_length:.1f}" height="{row - 8}" '
            f'fill="{CLASS_FILLS.get(token, BAR_FILL)}"/>'
            f'<text class="count" x="{label_width + bar_length + 6:.1f}" '
            f'y="{y + row / 2 + 4:.1f}">{count}</text></g>'
        )
    parts += [
        f'<line class="axis" x1="{label_width}" y1="{top}" x2="{label_width}" '
        f'y2="{top + row * len(bars)}" stroke="#333"/>',
        "</svg>",
    ]
    return "".join(parts)
