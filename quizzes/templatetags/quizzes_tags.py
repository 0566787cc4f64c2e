"""Template filters for quiz content."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from quizzes.grading import Verdict
from quizzes.rendering import render_inline_markdown, render_markdown, stored_html

register = template.Library()

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

VERDICT_LABELS: dict[str, tuple[str, StrOrPromise]] = {
    Verdict.CORRECT: ("✅", gettext_lazy("correct")),
    Verdict.INCORRECT: ("❌", gettext_lazy("wrong")),
    Verdict.PARTIAL: ("⚠️", gettext_lazy("acceptable with a caveat")),
}


@register.filter(name="markdown")
def markdown_filter(text: str | None):
    return render_markdown(text)


@register.filter(name="inline_markdown")
def inline_markdown_filter(text: str | None):
    return render_inline_markdown(text)


@register.filter(name="stored_html")
def stored_html_filter(html: str | None):
    """HTML rendered and sanitized when the content was written (candidate and review
    pages use only this: they never run the renderer)."""
    return stored_html(html)


@register.simple_tag
def verdict_label(verdict: str):
    """An option's verdict as its icon, named in words for screen readers and on hover.

    The words end with a colon because the option's text follows wherever a verdict is shown.
    """
    if verdict not in VERDICT_LABELS:
        return ""
    icon, words = VERDICT_LABELS[verdict]
    return format_html(
        '<span class="verdict" title="{}" aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}:</span>',
        words,
        icon,
        words,
    )


# What a review policy shows, as the object of "you will see …" on the start pages.
REVIEW_WORDS: dict[str, StrOrPromise] = {
    "thanks": gettext_lazy("a thank-you message (no score)"),
    "score": gettext_lazy("your score"),
    "correctness": gettext_lazy("your score and the points for each question"),
    "full": gettext_lazy("your score, the right answers and the explanations"),
}


@register.filter
def review_words(policy) -> str:
    """A review policy in words; an unknown one shows as the least, like Quiz._policy."""
    return str(REVIEW_WORDS.get(str(policy), REVIEW_WORDS["thanks"]))


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
def clock(value: timedelta | int | None) -> str:
    """A duration (timedelta or seconds) as 1:02:03 or 2:03, like the countdown; None as a dash."""
    if value is None or value == "":
        return "—"
    seconds = int(value.total_seconds()) if isinstance(value, timedelta) else int(value)
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
