"""Answers written in one INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from quizzes.models import Answer
from quizzes.services.answer_rows import Graded, add_time_spent, save_grades, save_selections
from quizzes.services.attempts import start_attempt
from tests.builders import make_large_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    quiz = make_large_quiz(access="public", questions=3, options=3)
    return start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="anna@example.com")


def ids(attempt):
    """The question ids, and each question's option ids."""
    questions = attempt.revision.content["questions"]
    return [q["id"] for q in questions], {
        q["id"]: [o["id"] for o in q["options"]] for q in questions
    }


def rows(attempt) -> dict[int, Answer]:
    return {answer.question_id: answer for answer in Answer.objects.filter(attempt=attempt)}


def test_a_new_answer_is_inserted_with_its_time(attempt):
    (first, *_), options = ids(attempt)
    now = timezone.now()
    save_selections(attempt.pk, {first: options[first][:2]}, {first: 5}, now)
    answer = rows(attempt)[first]
    assert (answer.selected, answer.time_spent, answer.saved_at) == (options[first][:2], 5, now)


def test_a_changed_answer_is_replaced_and_its_time_adds_up(attempt):
    (first, *_), options = ids(attempt)
    earlier = timezone.now() - timedelta(minutes=5)
    save_selections(attempt.pk, {first: options[first][:1]}, {first: 5}, earlier)
    now = timezone.now()
    save_selections(attempt.pk, {first: options[first][1:]}, {first: 7}, now)
    answer = rows(attempt)[first]
    assert (answer.selected, answer.time_spent, answer.saved_at) == (options[first][1:], 12, now)
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_an_unchanged_answer_keeps_when_it_was_chosen(attempt):
    (first, *_), options = ids(attempt)
    earlier = timezone.now() - timedelta(minutes=5)
    save_selections(attempt.pk, {first: options[first][:1]}, {}, earlier)
    save_selections(attempt.pk, {first: options[first][:1]}, {}, timezone.now())
    assert rows(attempt)[first].saved_at == earlier


def test_time_alone_never_clears_a_selection(attempt):
    (first, second, third), options = ids(attempt)
    now = timezone.now()
    save_selections(attempt.pk, {first: options[first][:1]}, {first: 3}, now)
    # The second question answered, time reported for the first too (off the page) and for
    # the third, which has no answer yet: it gets an empty one.
    save_selections(attempt.pk, {second: options[second][:1]}, {first: 4, third: 6}, now)
    stored = rows(attempt)
    assert (stored[first].selected, stored[first].time_spent) == (options[first][:1], 7)
    assert (stored[second].selected, stored[second].time_spent) == (options[second][:1], 0)
    assert (stored[third].selected, stored[third].time_spent) == ([], 6)
    add_time_spent(attempt.pk, {first: 10}, now)
    assert (rows(attempt)[first].selected, rows(attempt)[first].time_spent) == (
        options[first][:1],
        17,
    )


def test_grades_are_stored_without_touching_time_spent(attempt):
    (first, second, _), options = ids(attempt)
    earlier = timezone.now() - timedelta(minutes=5)
    save_selections(attempt.pk, {first: options[first][:1]}, {first: 30}, earlier)
    save_grades(
        attempt.pk,
        {
            first: Graded(options[first][:1], Decimal("1"), Decimal("2.5")),
            second: Graded([], Decimal("0"), Decimal("0")),
        },
        timezone.now(),
    )
    stored = rows(attempt)
    assert (stored[first].fraction, stored[first].points) == (Decimal("1"), Decimal("2.5"))
    assert (stored[first].time_spent, stored[first].saved_at) == (30, earlier)
    assert (stored[second].selected, stored[second].points) == ([], Decimal("0"))


def test_rows_beyond_the_parameter_limit_go_in_several_statements(
    attempt, monkeypatch, django_assert_num_queries
):
    (first, second, third), options = ids(attempt)
    # Two rows per statement: the three answers take two.
    monkeypatch.setattr(connection.features, "max_query_params", 11)
    selections = {q: options[q][:1] for q in (first, second, third)}
    with django_assert_num_queries(2):
        save_selections(attempt.pk, selections, {first: 1, second: 2, third: 3}, timezone.now())
    assert {q: (a.selected, a.time_spent) for q, a in rows(attempt).items()} == {
        first: (options[first][:1], 1),
        second: (options[second][:1], 2),
        third: (options[third][:1], 3),
    }
