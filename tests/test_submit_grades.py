"""Submitting stores every answer's graded fraction and points (one UPDATE for all rows)."""

from decimal import Decimal

import pytest

from quizzes import grading
from quizzes.content import gradable_questions
from quizzes.models import Answer
from quizzes.services.attempts import save_answers, start_attempt, submit_attempt
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("saved_first", [False, True], ids=["fresh", "autosaved"])
def test_submit_stores_each_answers_exact_fraction_and_points(saved_first):
    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    questions = attempt.revision.content["questions"]
    # Every option of the first question (a mixed verdict: partial credit or zero), the
    # correct-looking first option elsewhere, nothing for the last question.
    selections = {questions[0]["id"]: [o["id"] for o in questions[0]["options"][:2]]}
    selections |= {q["id"]: [q["options"][0]["id"]] for q in questions[1:-1]}
    selections[questions[-1]["id"]] = []
    if saved_first:
        save_answers(attempt_id=attempt.pk, selections=selections)
    submit_attempt(attempt_id=attempt.pk, selections=selections)

    expected = grading.grade_attempt(gradable_questions(attempt.revision.content), selections)
    stored = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    assert set(stored) == {q["id"] for q in questions}
    for question in expected.questions:
        answer = stored[question.question_id]
        fraction = Decimal(question.fraction.numerator) / Decimal(question.fraction.denominator)
        assert answer.fraction == fraction.quantize(Decimal("0.000001"))
        assert answer.points == question.points
    assert len({a.points for a in stored.values()}) > 1  # not all the same value
    attempt.refresh_from_db()
    assert attempt.score == expected.score
