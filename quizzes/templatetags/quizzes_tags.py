"""Template filters for quiz content."""

from django import template

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
def clock(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss), like the countdown shows them."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
