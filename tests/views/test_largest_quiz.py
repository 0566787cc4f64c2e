"""The largest quiz the settings allow is answered, saved and submitted from its own page.

Before the limits were derived from QUIZ_MAX_QUESTIONS and QUESTION_MAX_OPTIONS, a large
quiz with many ticks hit DATA_UPLOAD_MAX_NUMBER_FIELDS and could not be submitted.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from quizzes.models import Answer, Attempt
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def limits():
    return settings.QUIZ_MAX_QUESTIONS, settings.QUESTION_MAX_OPTIONS


@pytest.fixture
def largest_quiz(limits):
    questions, options = limits
    spec = [
        (
            f"Question {n}",
            "multiple",
            # Shared option texts: rendered once (the markdown cache), this is about the form.
            [(f"Option {k}", "correct" if k % 2 else "incorrect") for k in range(options)],
        )
        for n in range(1, questions + 1)
    ]
    return make_quiz(access="public", questions=spec, title="Largest")


def every_box_ticked(html: str) -> list[tuple[str, str]]:
    """The one-page form as a browser submits it with every option of every question ticked."""
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    boxes = re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]+)"', html)
    return hidden + boxes


def seconds_on_every_question(html: str) -> list[tuple[str, str]]:
    """What the page's script adds to a background save: seconds spent per question."""
    return [(f"t_{key}", "3") for key in re.findall(r'data-question="([^"]+)"', html)]


def multipart(client, url, fields: list[tuple[str, str]]):
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return client.post(url, data)


def test_every_tick_of_the_largest_quiz_is_saved_and_submitted(client, start, largest_quiz, limits):
    questions, options = limits
    attempt = start(largest_quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    fields = every_box_ticked(html)
    assert len(fields) >= questions * options
    times = seconds_on_every_question(html)
    assert len(times) == questions

    saved = multipart(
        client,
        reverse("quizzes:autosave", args=[attempt.public_id]),
        [*fields, *times, ("seq", "1"), ("focus_lost", "1")],
    )

    assert saved.status_code == 200, saved.content.decode()[:300]
    assert saved.json()["saved"] is True
    assert Answer.objects.filter(attempt=attempt).count() == questions
    assert {len(a.selected) for a in Answer.objects.filter(attempt=attempt)} == {options}

    submitted = multipart(
        client, attempt.get_absolute_url(), [*fields, ("seq", "2"), ("action", "finish")]
    )

    assert submitted.status_code == 302, submitted.content.decode()[:300]
    assert submitted["Location"] == reverse("quizzes:result", args=[attempt.public_id])
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.max_score == questions
    assert attempt.score is not None


def test_the_form_limits_are_derived_from_the_largest_quiz(limits):
    questions, options = limits
    # Per question: every option ticked, `shown`, seconds spent; then the page's own fields.
    assert questions * (options + 2) + 20 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    # A browser's multipart field: a 40-character boundary, its header, a long value.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS * 200


@pytest.mark.parametrize(("value", "expected"), [("", 500), ("40", 40), (" 7 ", 7)])
def test_the_quiz_size_is_read_from_the_environment(monkeypatch, value, expected):
    from quizsite.settings import env_int

    monkeypatch.setenv("QUIZ_MAX_QUESTIONS", value)
    assert env_int("QUIZ_MAX_QUESTIONS", 500) == expected


@pytest.mark.parametrize("value", ["0", "-5", "many", "²", "1.5"])
def test_a_nonsense_quiz_size_stops_the_site_from_starting(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from quizsite.settings import env_int

    monkeypatch.setenv("QUIZ_MAX_QUESTIONS", value)
    with pytest.raises(ImproperlyConfigured, match="QUIZ_MAX_QUESTIONS"):
        env_int("QUIZ_MAX_QUESTIONS", 500)
