"""Template filters for quiz content."""

from django import template
from django.forms.utils import flatatt
from django.utils.formats import number_format
from django.utils.html import format_html

from quizzes.grading import Verdict
from quizzes.rendering import render_inline_markdown, render_markdown

register = template.Library()

VERDICT_ICONS = {Verdict.CORRECT: "✅", Verdict.INCORRECT: "❌", Verdict.PARTIAL: "⚠️"}


@register.filter(name="markdown")
def markdown_filter(text: str | None):
    return render_markdown(text)


@register.filter(name="inline_markdown")
def inline_markdown_filter(text: str | None):
    return render_inline_markdown(text)


@register.filter
def verdict_icon(verdict: str) -> str:
    return VERDICT_ICONS.get(verdict, "")


@register.filter
def points(value) -> str:
    """Show 1.0000 as 1 and 0.6667 as 0.67: candidates read points, not database columns."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


@register.filter
def time_limit_minutes(value) -> int:
    return int(value.total_seconds() // 60) if value else 0


@register.filter
def duration_hms(value) -> str:
    """A timedelta (or seconds) as 1:02:03 / 2:03; empty durations as a dash."""
    if value is None or value == "":
        return "—"
    seconds = int(value.total_seconds()) if hasattr(value, "total_seconds") else int(value)
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@register.filter
def as_percent(value) -> str:
    """A fraction (0.4567) as a localized percentage with one decimal (45,7); None as a dash."""
    if value is None:
        return "—"
    # number_format truncates extra decimals; round first so 0.6667 reads 66.7, not 66.6.
    return number_format(round(value * 100, 1), decimal_pos=1)


@register.filter
def decimal(value, places=2) -> str:
    """A float rounded for reading, localized; None as a dash."""
    if value is None:
        return "—"
    return number_format(round(value, int(places)), decimal_pos=int(places))


@register.filter
def clock(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss), like the countdown shows them."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def option_input(choice) -> str:
    """A radio/checkbox option's <input>, exactly as Django's widget templates write it.

    Built in Python: three nested widget templates per option made the template engine the
    bulk of a 40 × 5 attempt page's time (bench/README.md).
    """
    data = choice.data
    return format_html(
        '<input type="{}" name="{}" value="{}"{}>',
        data["type"],
        data["name"],
        "" if data["value"] is None else str(data["value"]),
        flatatt(data["attrs"]),
    )
