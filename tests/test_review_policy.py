"""What each review policy lets a candidate see after submitting."""

import pytest

from quizzes.models import Quiz

Policy = Quiz.ReviewPolicy


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
    quiz = Quiz(review_policy=policy)
    assert quiz.shows_score is score
    assert quiz.shows_correctness is correctness
    assert quiz.shows_verdicts is verdicts


def test_every_policy_is_covered_above():
    assert set(Policy) == {Policy.THANK_YOU, Policy.SCORE, Policy.CORRECTNESS, Policy.FULL}


def test_an_unknown_stored_policy_shows_nothing():
    quiz = Quiz(review_policy="something-else")
    assert not (quiz.shows_score or quiz.shows_correctness or quiz.shows_verdicts)
