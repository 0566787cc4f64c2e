"""Issue 3's rules hold end to end: through the candidate UI and the result page."""

from decimal import Decimal

import pytest

from quizzes.models import Attempt
from quizzes.services.attempts import AttemptClosed, save_answers, start_attempt, submit_attempt
from tests.builders import answer_post, make_quiz

pytestmark = pytest.mark.django_db

Q1 = {
    "all": ["MaxPooling", "Dropout", "ReLU"],
    "all+bn": ["MaxPooling", "Dropout", "ReLU", "Batch Normalization"],
    "two": ["MaxPooling", "Dropout"],
    "all+fc": ["MaxPooling", "Dropout", "ReLU", "Полносвязный слой"],
    "six": [
        "MaxPooling",
        "Полносвязный слой",
        "Dropout",
        "Слой свертки",
        "Batch Normalization",
        "ReLU",
    ],
    "bn": ["Batch Normalization"],
    "none": [],
}


@pytest.mark.parametrize(
    ("choice", "strategy", "expected"),
    [
        ("all", "partial", "1"),
        ("all+bn", "partial", "1"),
        ("two", "partial", "0.67"),
        ("all+fc", "partial", "0.5"),
        ("six", "partial", "0"),
        ("bn", "partial", "0"),
        ("none", "partial", "0"),
        ("two", "all_or_nothing", "0"),
        ("all+bn", "all_or_nothing", "1"),
        ("two", "per_option", "0.8"),
        ("all+fc", "per_option", "0.8"),
    ],
)
def test_worked_examples_on_the_first_seed_question(client, start, choice, strategy, expected):
    quiz = make_quiz(access="public", review_after_attempt="score", grading_strategy=strategy)
    attempt = start(quiz)
    response = client.post(
        attempt.get_absolute_url(), answer_post(attempt, {1: Q1[choice]}), follow=True
    )
    html = response.content.decode()
    assert f'data-score="{expected}"' in html
    assert 'data-max-score="3"' in html


def test_single_choice_caveat_option_earns_the_partial_fraction(client, start):
    quiz = make_quiz(
        questions=[
            ("Q", "single", [("yes", "correct"), ("maybe", "partial"), ("no", "incorrect")])
        ],
        access="public",
        review_after_attempt="score",
    )
    quiz.questions.update(partial_fraction=Decimal("0.25"))
    attempt = start(quiz)
    html = client.post(
        attempt.get_absolute_url(), answer_post(attempt, {1: ["maybe"]}), follow=True
    ).content.decode()
    assert 'data-score="0.25"' in html


def test_question_strategy_overrides_the_quiz_strategy(client, start):
    quiz = make_quiz(access="public", review_after_attempt="score", grading_strategy="partial")
    quiz.questions.filter(position=1).update(grading_strategy="all_or_nothing")
    attempt = start(quiz)
    html = client.post(
        attempt.get_absolute_url(), answer_post(attempt, {1: Q1["two"]}), follow=True
    ).content.decode()
    assert 'data-score="0"' in html


def test_points_scale_the_fraction(client, start):
    quiz = make_quiz(access="public", review_after_attempt="score")
    quiz.questions.filter(position=1).update(points=Decimal("3"))
    attempt = start(quiz)
    html = client.post(
        attempt.get_absolute_url(), answer_post(attempt, {1: Q1["two"]}), follow=True
    ).content.decode()
    assert 'data-score="2"' in html and 'data-max-score="5"' in html


def test_pass_mark_decides_pass_or_fail():
    quiz = make_quiz(pass_mark=Decimal("60"))
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    q2 = quiz.questions.get(position=2)
    q3 = quiz.questions.get(position=3)
    right = {q2.id: [q2.options.get(position=1).id], q3.id: [q3.options.get(position=1).id]}
    attempt = submit_attempt(attempt_id=attempt.pk, selections=right).attempt
    assert attempt.percentage == Decimal("66.67")
    assert attempt.passed() is True
    attempt.quiz.pass_mark = Decimal("70")
    assert attempt.passed() is False


def test_submitted_attempt_never_changes_by_candidate_action(client, start, quiz):
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, {3: ["Взрыв градиентов"]}))
    with pytest.raises(AttemptClosed):
        save_answers(attempt_id=attempt.pk, selections={}, seq=99)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 1
