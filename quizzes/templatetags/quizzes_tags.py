"""Template filters for quiz content."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django import template
from django.forms.utils import flatatt
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext, gettext_lazy

from quizzes.content import PresentedQuestion
from quizzes.grading import Verdict
from quizzes.opaque import Tokens, field_name, option_element_id, question_element_id
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


_INPUT_TYPES = {"single": "radio", "multiple": "checkbox"}
_CHECKED = flatatt({"checked": True})  # " checked", already safe
_NOT_CHECKED = format_html("{}", "")


# Each question's format string and rendered texts (legend, question, hint, option labels)
# per (revision content hash, question, number, option order, language). The content hash
# makes a key name exactly one revision's content, so nothing here can go stale. What
# varies per attempt or request is never stored: the attempt's tokens (names, values,
# element ids) and the chosen answers are filled in on every render. Bounded (~2 KB an
# entry; shuffled options make one entry per drawn order); a full cache is simply emptied.
_BLOCKS: dict[tuple, tuple[str, str, tuple[str, ...]]] = {}
_BLOCKS_MAX = 5_000


@register.simple_tag
def question_fields(
    questions: list[PresentedQuestion],
    chosen: dict[int, list[int]],
    content_hash: str,
    tokens: Tokens,
):
    """The attempt page's questions with their option inputs, checked where `chosen` says.

    Written out in Python rather than through the template engine, and cached per
    revision: for 40 questions × 5 options the engine's per-node overhead was most of the
    page's CPU (bench/README.md). The inputs are what AnswerForm's widgets write; a test
    compares them byte for byte. Names, values and ids are the attempt's opaque tokens.
    """
    language = get_language()
    parts = []
    section = ""
    for question in questions:
        # A section's title above its first question on the page.
        if question.get("section") and question["section"] != section:
            parts.append(format_html('<h2 class="h5 section-title">{}</h2>', question["section"]))
        section = question.get("section", "")
        key = (
            content_hash,
            question["id"],
            question["number"],
            tuple(option["id"] for option in question["options"]),
            language,
        )
        block = _BLOCKS.get(key)
        if block is None:
            block = _question_block(question)
            if len(_BLOCKS) >= _BLOCKS_MAX:
                _BLOCKS.clear()
            _BLOCKS[key] = block
        markup, intro, labels = block
        selected = chosen.get(question["id"], ())
        if question["kind"] != "multiple":
            selected = list(selected)[:1]  # a radio group shows at most one answer
        values: list[str] = [tokens.question(question["id"]), intro]
        for option, label in zip(question["options"], labels, strict=True):
            checked = _CHECKED if option["id"] in selected else _NOT_CHECKED
            values += (tokens.option(option["id"]), checked, label)
        # One format_html per question: every token is escaped once, the rest is safe.
        parts.append(format_html(markup, *values))
    return format_html_join("", "{}", ((part,) for part in parts))


def _question_block(question: PresentedQuestion) -> tuple[str, str, tuple[str, ...]]:
    """The question's markup as a format string, with its rendered intro and option labels.

    In the format string {0} is the question's token and {1} the intro, then each option
    has three: its token, its checked mark, its label. Names and ids are spelled by
    quizzes.opaque, as the forms read them back.
    """
    input_type = _INPUT_TYPES.get(question["kind"], "radio")
    # The number is part of the cache key, so it may be written into the format string.
    markup = [
        f'<fieldset class="question card mb-4" id="{question_element_id("{0}")}"'
        f' data-question="{{0}}" data-number="{int(question["number"])}">\n{{1}}'
    ]
    for first in range(2, 2 + 3 * len(question["options"]), 3):
        value, checked, label = (f"{{{n}}}" for n in range(first, first + 3))
        element_id = option_element_id(value)
        markup.append(
            '      <div class="form-check option">\n'
            f'        <input type="{input_type}" name="{field_name("{0}")}" value="{value}"'
            f' class="form-check-input" id="{element_id}"{checked}>\n'
            f'        <label class="form-check-label" for="{element_id}">{label}</label>\n'
            "      </div>\n"
        )
    markup.append("    </div>\n  </fieldset>\n")
    intro, labels = _question_texts(question)
    return "".join(markup), intro, labels


def _question_texts(question: PresentedQuestion) -> tuple[str, tuple[str, ...]]:
    """A question's markup inside its fieldset up to the options, and its option labels."""
    hint = (
        gettext("Select all that apply.")
        if question["kind"] == "multiple"
        else gettext("Choose one option.")
    )
    intro = format_html(
        '    <div class="card-body">\n'
        '      <legend class="h5">{}</legend>\n'
        '      <div class="question-text">{}</div>\n'
        '      <p class="form-text">{}</p>\n',
        gettext("Question %(number)s") % {"number": question["number"]},
        stored_html(question["text_html"]),
        hint,
    )
    labels = tuple(stored_html(option["text_html"]) for option in question["options"])
    return intro, labels
