"""Submitting stores every answer's graded fraction and points (one UPDATE for all rows)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes import grading
from quizzes.content import gradable_questions
from quizzes.models import Answer
from quizzes.services.attempts import save_answers, start_attempt, submit_attempt
from quizzes.services.scoring import grade_and_store
from tests.builders import answer_field, make_quiz, time_field

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


def stored_grades(attempt) -> dict:
    answers = Answer.objects.filter(attempt=attempt).order_by("question_id")
    return {a.question_id: (a.selected, a.fraction, a.points, a.time_spent) for a in answers}


@pytest.mark.parametrize("saved_first", [False, True], ids=["fresh", "autosaved"])
def test_a_submit_through_the_page_stores_what_grading_the_saved_answers_stores(
    client, start, saved_first
):
    # The submit grades in one statement from the answers it holds; the regrade's path
    # (grade_and_store, reading every answer row back) must find nothing to change.
    quiz = make_quiz(access="public")
    attempt = start(quiz)
    questions = attempt.revision.content["questions"]
    first, second = questions[0], questions[1]
    mixed = [attempt.tokens.option(o["id"]) for o in first["options"][:2]]
    data = {answer_field(attempt, first["id"]): mixed}
    if saved_first:
        autosave = reverse("quizzes:autosave", args=[attempt.public_id])
        late = {**data, time_field(attempt, second["id"]): "9", "seq": "1"}
        assert client.post(autosave, late).json()["saved"]
        response = client.post(reverse("quizzes:confirm_submit", args=[attempt.public_id]))
    else:
        response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    submitted = stored_grades(attempt), attempt.score, attempt.max_score, attempt.marks_total

    result = grade_and_store(attempt)
    attempt.save(update_fields=["marks_total"])
    regraded = stored_grades(attempt), result.score, result.max_score, attempt.marks_total
    assert submitted == regraded
    assert submitted[0][first["id"]][0] == sorted(o["id"] for o in first["options"][:2])
    if saved_first:
        # Time on a question never answered: an empty answer, graded zero.
        assert submitted[0][second["id"]] == ([], Decimal(0), Decimal(0), 9)
