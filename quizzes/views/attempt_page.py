"""The attempt page, built once and filled in per request.

For one revision, language and page the attempt page is the same for every candidate
apart from a few values: the CSRF token, the attempt's opaque tokens, the marks, the save
number and the time left. So it is built from two parts, each kept in the cache (Redis when
set, memory otherwise) and in a small per-process table in front of it:

- the frame (`attempt.html` around the questions), rendered once by the template engine
  with markers where those values go and split there (quizzes/splicing.py);
- the question kit: each question's markup as format strings, its options apart, so one kit
  serves every drawn order of questions and options.

A warm request renders no template, no markdown and builds no form: it joins the frame's
chunks with the request's values and the kit's questions in this attempt's drawn order.
Both are keyed by the revision's content hash and HTML version, so they never go stale.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth.context_processors import PermWrapper
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.translation import get_language, gettext

from quizzes.content import RevisionContent, section_groups
from quizzes.models import Attempt, Quiz, QuizRevision
from quizzes.opaque import field_name, option_element_id, question_element_id
from quizzes.rendering import stored_html
from quizzes.selectors.attempt_state import parse_saved_answers
from quizzes.splicing import Holes, Skeleton
from quizzes.templatetags.quizzes_tags import clock

T = TypeVar("T")

CACHE_TIMEOUT = 7 * 24 * 60 * 60
_INPUT_TYPES = {"single": "radio", "multiple": "checkbox"}
HEAD_POSITIONS: dict[Hashable, int] = {"q": 0, "number": 1}


class _Local:
    """A bounded per-process table in front of the shared cache (the values are immutable)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str, build: Callable[[], T]) -> T:
        value = self.entries.get(key)
        if value is None:
            value = cache.get(key)
            if value is None:
                value = build()
                cache.set(key, value, CACHE_TIMEOUT)
            self.entries[key] = value
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self.entries.clear()


# A kit is ~2 KB per question and language; a frame a few KB per page.
KITS = _Local(64)
FRAMES = _Local(1024)


@dataclass(frozen=True, slots=True)
class QuestionMarkup:
    """One question's markup: {0} is its token, {1} its number; each option's {0} the
    question's token, {1} the option's, {2} its checked mark."""

    section: str
    head: str
    options: dict[int, str]
    tail: str
    multiple: bool


@dataclass(frozen=True, slots=True)
class Frame:
    skeleton: Skeleton
    # The navigator's button for (question number, answered), paged attempts only.
    navigator: dict[tuple[int, bool], str]


def _revision_key(attempt: Attempt) -> str:
    revision = attempt.revision
    return f"{revision.pk}:{revision.content_hash}:{revision.html_version}:{get_language()}"


def _content(attempt: Attempt) -> RevisionContent:
    """The revision's content, read once per request and only by a cold build (it is tens
    of KB of JSON)."""
    content = getattr(attempt, "_page_content", None)
    if content is None:
        content = QuizRevision.objects.values_list("content", flat=True).get(pk=attempt.revision_id)
        attempt._page_content = content  # type: ignore[attr-defined]
    return content


def question_kit(attempt: Attempt) -> dict[int, QuestionMarkup]:
    return KITS.get(
        f"quizzes:page-kit:{_revision_key(attempt)}", lambda: build_kit(_content(attempt))
    )


def build_kit(content: RevisionContent) -> dict[int, QuestionMarkup]:
    sections = {qid: title for title, ids in section_groups(content) for qid in ids}
    kit = {}
    for question in content["questions"]:
        holes = Holes()
        token, number = holes("q"), holes("number")
        head = holes.split(_question_head(question, token, number))
        options = {}
        for option in question["options"]:
            holes = Holes()
            label = stored_html(option["text_html"])
            markup = _option_markup(
                question["kind"], holes("q"), holes("o"), holes("checked"), label
            )
            positions: dict[Hashable, int] = {"q": 0, "o": 1, "checked": 2}
            options[option["id"]] = holes.split(markup).format_string(positions)
        kit[question["id"]] = QuestionMarkup(
            section=sections.get(question["id"], ""),
            head=head.format_string(HEAD_POSITIONS),
            options=options,
            tail="    </div>\n  </fieldset>\n",
            multiple=question["kind"] == "multiple",
        )
    return kit


def _question_head(question, token: str, number: str) -> str:
    hint = (
        gettext("Select all that apply.")
        if question["kind"] == "multiple"
        else gettext("Choose one option.")
    )
    return format_html(
        '<fieldset class="question card mb-4" id="{}" data-question="{}" data-number="{}">\n'
        '    <div class="card-body">\n'
        '      <legend class="h5">{}</legend>\n'
        '      <div class="question-text">{}</div>\n'
        '      <p class="form-text">{}</p>\n',
        question_element_id(token),
        token,
        number,
        gettext("Question %(number)s") % {"number": number},
        stored_html(question["text_html"]),
        hint,
    )


def _option_markup(kind: str, question: str, option: str, checked: str, label: str) -> str:
    """One option's input and label (`label` is stored, sanitized HTML), as Django's
    radio and checkbox widgets would write the input (a test compares)."""
    element_id = option_element_id(option)
    return (
        '      <div class="form-check option">\n'
        f'        <input type="{_INPUT_TYPES.get(kind, "radio")}" name="{field_name(question)}"'
        f' value="{option}" class="form-check-input" id="{element_id}"{checked}>\n'
        f'        <label class="form-check-label" for="{element_id}">{label}</label>\n'
        "      </div>\n"
    )


@dataclass(frozen=True, slots=True)
class PageShape:
    """What a frame depends on besides the revision and the language."""

    paged: bool
    page: int  # 1 on a page with every question
    count: int  # questions in the attempt
    timed: bool


class _PathOf:
    """What the language switch asks of the request while a frame is built."""

    def __init__(self, path: str) -> None:
        self.path = path

    def get_full_path(self) -> str:
        return self.path


def attempt_frame(attempt: Attempt, shape: PageShape) -> Frame:
    key = (
        f"quizzes:page-frame:{_revision_key(attempt)}:"
        f"{int(shape.paged)}:{shape.page}:{shape.count}:{int(shape.timed)}"
    )
    return FRAMES.get(key, lambda: build_frame(_content(attempt)["title"], shape))


def build_frame(title: str, shape: PageShape) -> Frame:
    holes = Holes()
    shown = range(1) if shape.paged else range(shape.count)
    numbers = range(1, shape.count + 1) if shape.paged else range(0)
    context = {
        "title": title,
        "csrf_token": holes("csrf"),
        "request": _PathOf(holes("path")),
        "review_nav": holes("review_nav"),
        "messages_html": holes("messages"),
        "attempt_url": holes("attempt_url"),
        "autosave_url": holes("autosave_url"),
        "save_seq": holes("seq"),
        "now_ms": holes("now_ms"),
        "timed": shape.timed,
        "answered_count": holes("answered"),
        "shown_tokens": [holes(("shown", index)) for index in shown],
        "questions_html": holes("questions"),
        "paged": shape.paged,
        "page": shape.page,
        "page_count": shape.count,
        "navigator": [holes(("nav", number)) for number in numbers],
    }
    if shape.timed:
        for name in ("remaining_seconds", "remaining_ms", "remaining_clock"):
            context[name] = holes(name)
    skeleton = holes.split(render_to_string("quizzes/attempt.html", context))
    navigator: dict[tuple[int, bool], str] = {
        (number, answered): render_to_string(
            "quizzes/includes/navigator_item.html",
            {"number": number, "answered": answered, "current": number == shape.page},
        )
        for number in numbers
        for answered in (False, True)
    }
    return Frame(skeleton=skeleton, navigator=navigator)


def _remaining_ms(deadline: datetime | None, now: float) -> int | None:
    if deadline is None:
        return None
    # Rounded up: the countdown must not reach zero before the deadline.
    return max(0, math.ceil((deadline.timestamp() - now) * 1000))


def page_number(value: str | None, count: int) -> int:
    """The `q` of a paged attempt's URL within 1..count; what is not a number is page 1."""
    try:
        number = int(value) if value else 1
    except ValueError:  # also a number of more digits than int() takes
        number = 1
    return min(max(number, 1), max(count, 1))


def attempt_page_response(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """The page of an open attempt loaded by selectors.candidate.attempt_for_page."""
    layout = attempt.layout
    order: list[int] = layout["questions"]
    paged = attempt.quiz.navigation == Quiz.Navigation.PAGED
    page = page_number(request.GET.get("q"), len(order)) if paged else 1
    shown = order[page - 1 : page] if paged else order
    saved = parse_saved_answers(attempt.saved_answers_json)  # type: ignore[attr-defined]
    shape = PageShape(paged=paged, page=page, count=len(order), timed=attempt.deadline is not None)
    frame = attempt_frame(attempt, shape)
    tokens = attempt.tokens
    now = time.time()
    remaining_ms = _remaining_ms(attempt.deadline, now)
    values: dict[Hashable, str] = {
        "csrf": get_token(request),
        "path": escape(request.get_full_path()),
        "review_nav": _review_nav(request),
        "messages": _messages(request),
        "attempt_url": attempt.get_absolute_url(),
        "autosave_url": reverse("quizzes:autosave", kwargs={"public_id": attempt.public_id}),
        "seq": str(attempt.save_seq),
        "now_ms": str(int(now * 1000)),
        "remaining_seconds": str(remaining_ms // 1000) if remaining_ms is not None else "",
        "remaining_ms": str(remaining_ms),
        "remaining_clock": clock(remaining_ms // 1000) if remaining_ms is not None else "",
        "answered": str(sum(1 for qid in order if saved.get(qid))),
        "questions": _questions(question_kit(attempt), shown, page, layout, saved, tokens),
    }
    for index, question_id in enumerate(shown):
        values[("shown", index)] = tokens.question(question_id)
    if paged:
        for number, question_id in enumerate(order, start=1):
            values[("nav", number)] = frame.navigator[(number, bool(saved.get(question_id)))]
    return HttpResponse(frame.skeleton.fill(values))


_CHECKED = " checked"


def _questions(kit, shown, first_number, layout, saved, tokens) -> str:
    parts: list[str] = []
    section = ""
    for number, question_id in enumerate(shown, start=first_number):
        markup: QuestionMarkup = kit[question_id]
        # A section's title above its first question on the page.
        if markup.section and markup.section != section:
            parts.append(format_html('<h2 class="h5 section-title">{}</h2>', markup.section))
        section = markup.section
        token = tokens.question(question_id)
        parts.append(markup.head.format(token, number))
        chosen = saved.get(question_id, ())
        if not markup.multiple:
            chosen = chosen[:1]  # a radio group shows at most one answer
        option_markup = markup.options
        for option_id in layout["options"][str(question_id)]:
            mark = _CHECKED if option_id in chosen else ""
            parts.append(option_markup[option_id].format(token, tokens.option(option_id), mark))
        parts.append(markup.tail)
    return "".join(parts)


def _review_nav(request: HttpRequest) -> str:
    """The staff's link to the review pages (base.html), for a signed-in user only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return render_to_string(
        "quizzes/includes/review_nav.html", {"user": user, "perms": PermWrapper(user)}
    )


def _messages(request: HttpRequest) -> str:
    stored = get_messages(request)
    if not stored:
        return ""
    return render_to_string("quizzes/includes/messages.html", {"messages": stored})
