"""What each review policy shows, and which of a quiz's two applies at a given moment."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError

from quizzes.models import DEADLINE_GRACE, Quiz
from tests.builders import make_quiz

Policy = Quiz.ReviewPolicy
# A fixed "now": the quiz below closes an hour after it.
NOW = datetime(2031, 3, 14, 12, 0, tzinfo=UTC)
CLOSES = NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("policy", "score", "correctness", "verdicts"),
    [
        (Policy.THANK_YOU, False, False, False),
        (Policy.SCORE, True, False, False),
        (Policy.CORRECTNESS, True, True, False),
        (Policy.FULL, True, True, True),
    ],
)
def test_each_policy_shows_what_the_one_below_shows_and_more(policy, score, correctness, verdicts):
    assert policy.shows_score is score
    assert policy.shows_correctness is correctness
    assert policy.shows_verdicts is verdicts


def test_every_policy_is_covered_above():
    assert set(Policy) == {Policy.THANK_YOU, Policy.SCORE, Policy.CORRECTNESS, Policy.FULL}


def timed_quiz(**fields) -> Quiz:
    return Quiz(
        review_after_attempt=Policy.THANK_YOU,
        review_after_close=Policy.FULL,
        closes_at=CLOSES,
        **fields,
    )


def test_the_review_after_the_attempt_applies_until_the_close():
    quiz = timed_quiz()
    assert quiz.review_shown(NOW) is Policy.THANK_YOU
    assert quiz.review_shown(CLOSES - timedelta(seconds=1)) is Policy.THANK_YOU
    assert not quiz.is_closed(NOW)


def test_the_review_after_the_close_waits_out_the_deadline_grace():
    # Attempts end at the close, but their last answers may still arrive within the grace.
    quiz = timed_quiz()
    assert quiz.is_closed(CLOSES)
    assert quiz.review_shown(CLOSES) is Policy.THANK_YOU
    assert quiz.review_shown(CLOSES + DEADLINE_GRACE - timedelta(seconds=1)) is Policy.THANK_YOU
    assert quiz.review_shown(CLOSES + DEADLINE_GRACE) is Policy.FULL
    assert quiz.review_shown(CLOSES + timedelta(days=400)) is Policy.FULL


def test_each_moment_may_show_less_as_well_as_more():
    quiz = Quiz(review_after_attempt=Policy.FULL, review_after_close=Policy.SCORE, closes_at=CLOSES)
    assert quiz.review_shown(NOW) is Policy.FULL
    assert quiz.review_shown(CLOSES + timedelta(days=1)) is Policy.SCORE


def test_without_a_close_date_the_review_after_the_attempt_applies_for_good():
    quiz = timed_quiz()
    quiz.closes_at = None
    assert quiz.review_shown(NOW + timedelta(days=10_000)) is Policy.THANK_YOU
    assert not quiz.is_closed(NOW + timedelta(days=10_000))
    assert quiz.review_later(NOW) is None


def test_the_later_review_is_announced_only_while_it_is_ahead_and_shows_more():
    quiz = timed_quiz()
    assert quiz.review_later(NOW) is Policy.FULL
    assert quiz.review_later(CLOSES + DEADLINE_GRACE) is None
    quiz.review_after_attempt = Policy.FULL
    assert quiz.review_later(NOW) is None


def test_without_a_moment_the_review_shown_is_the_current_one():
    past = timed_quiz()
    past.closes_at = datetime(2001, 1, 1, tzinfo=UTC)
    assert past.review_shown() is Policy.FULL
    future = timed_quiz()
    future.closes_at = datetime(2999, 1, 1, tzinfo=UTC)
    assert future.review_shown() is Policy.THANK_YOU


def test_an_unknown_stored_policy_shows_nothing():
    quiz = Quiz(review_after_attempt="something-else", review_after_close="other", closes_at=CLOSES)
    assert quiz.review_shown(NOW) is Policy.THANK_YOU
    assert quiz.review_shown(CLOSES + timedelta(days=1)) is Policy.THANK_YOU
    assert quiz.review_later(NOW) is None


def test_a_new_quiz_is_invite_only_and_hides_everything_until_it_closes():
    quiz = Quiz()
    assert quiz.access == Quiz.Access.INVITE
    assert not quiz.practice
    assert quiz.review_after_attempt == Policy.THANK_YOU
    assert quiz.review_after_close == Policy.FULL
    assert quiz.closes_at is None


@pytest.mark.parametrize(
    ("access", "after_attempt", "practice", "leaks"),
    [
        ("public", "full", False, True),
        ("public", "correctness", False, True),
        ("public", "score", False, False),
        ("public", "thanks", False, False),
        ("invite", "full", False, False),
        ("public", "full", True, False),
    ],
)
def test_only_a_public_non_practice_quiz_showing_correctness_at_once_leaks_answers(
    access, after_attempt, practice, leaks
):
    quiz = Quiz(access=access, review_after_attempt=after_attempt, practice=practice)
    assert quiz.lets_anyone_collect_answers is leaks


@pytest.mark.django_db
def test_a_practice_quiz_is_public_with_the_full_review_at_once():
    quiz = make_quiz(title="Практика")
    quiz.set_practice()
    quiz.save()
    quiz.refresh_from_db()
    assert (quiz.practice, quiz.access, quiz.review_after_attempt, quiz.review_after_close) == (
        True,
        "public",
        "full",
        "full",
    )
    assert quiz.review_shown() is Policy.FULL


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"access": "invite"},
        {"access": "public", "review_after_attempt": "full", "review_after_close": "score"},
        {"access": "public", "review_after_attempt": "thanks", "review_after_close": "full"},
    ],
)
def test_the_database_refuses_a_practice_quiz_that_hides_anything(fields):
    with pytest.raises(IntegrityError):
        make_quiz(title="Практика", practice=True, **fields)
