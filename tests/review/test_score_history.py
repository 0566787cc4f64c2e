"""The attempt's history names each question's points before and after, and the total apart."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes.models import QuestionScoreChange, ScoreChange
from quizzes.services.regrade import regrade_quiz_attempts
from quizzes.services.review import override_question_score
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

WRONG_THEN_RIGHT = "Он не требует learning rate"


def history_rows(client, attempt) -> list[str]:
    url = reverse("quizzes:review_attempt", args=[attempt.public_id])
    html = client.get(url).content.decode()
    return re.findall(r'<tr class="(?:score|status)-change".*?</tr>', html, re.S)


def question_changes(row: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'data-question="(\d+)" data-old-points="([^"]*)" data-new-points="([^"]*)"', row
    )


def text(row: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_an_override_shows_the_questions_points_and_the_total_apart(
    recruiter_client, recruiter, quiz
):
    # The case: question 2 from 0 to 0.5 while the total goes from 1 to 1.5.
    attempt = finish(quiz, {3: ["Взрыв градиентов"]})
    question = quiz.questions.get(position=2)
    override_question_score(
        attempt=attempt,
        question_id=question.id,
        points=Decimal("0.5"),
        reason="Частично верно",
        user=recruiter,
    )
    change = QuestionScoreChange.objects.get()
    assert (change.question_id, change.old_points, change.new_points) == (question.id, 0, 0.5)
    [row] = history_rows(recruiter_client, attempt)
    assert question_changes(row) == [(str(question.id), "0", "0.5")]
    assert "вопрос 2: 0 → 0.5" in text(row)
    assert "Итого: 1 → 1.5" in text(row)
    assert "Частично верно" in row and "rita" in row


def test_a_second_override_starts_from_the_first_ones_points(recruiter_client, recruiter, quiz):
    attempt = finish(quiz, {2: ["Он адаптирует learning rate для каждого параметра"]})
    qid = quiz.questions.get(position=2).id
    for points in ("0.5", "0.25"):
        override_question_score(
            attempt=attempt, question_id=qid, points=Decimal(points), reason="r", user=recruiter
        )
    newest, oldest = history_rows(recruiter_client, attempt)
    assert question_changes(oldest) == [(str(qid), "1", "0.5")]
    assert question_changes(newest) == [(str(qid), "0.5", "0.25")]
    assert "Итого: 0.5 → 0.25" in text(newest)


def test_a_regrade_lists_each_question_it_moved_and_not_an_overridden_one(
    recruiter_client, recruiter, quiz
):
    attempt = finish(quiz, {2: [WRONG_THEN_RIGHT], 3: ["Переобучение"]})
    q2, q3 = (quiz.questions.get(position=n) for n in (2, 3))
    override_question_score(
        attempt=attempt, question_id=q3.id, points=Decimal("0.5"), reason="устно", user=recruiter
    )
    # Both chosen options become right: question 2 moves, question 3 keeps its override.
    q2.options.filter(text=WRONG_THEN_RIGHT).update(verdict="correct")
    q3.options.filter(text="Переобучение").update(verdict="correct")
    regrade_quiz_attempts(quiz=quiz, dry_run=False, user=recruiter)

    regrade = ScoreChange.objects.get(kind=ScoreChange.Kind.REGRADE)
    assert [(c.question_id, c.old_points, c.new_points) for c in regrade.questions.all()] == [
        (q2.id, 0, 1)
    ]
    newest, override = history_rows(recruiter_client, attempt)
    assert 'data-kind="regrade"' in newest and 'data-kind="override"' in override
    assert question_changes(newest) == [(str(q2.id), "0", "1")]
    assert "вопрос 2: 0 → 1" in text(newest) and "Итого: 0.5 → 1.5" in text(newest)


def test_a_regrade_that_moves_no_points_says_so(recruiter_client, recruiter, quiz):
    attempt = finish(quiz, {3: ["Взрыв градиентов"]})
    # An option nobody chose changes verdict: the revision changes, no points do.
    quiz.questions.get(position=2).options.filter(text=WRONG_THEN_RIGHT).update(verdict="partial")
    regrade_quiz_attempts(quiz=quiz, dry_run=False, user=recruiter)
    [row] = history_rows(recruiter_client, attempt)
    assert question_changes(row) == []
    assert "баллы ни одного вопроса не изменились" in text(row) and "Итого: 1 → 1" in text(row)


def test_a_change_recorded_before_question_points_says_they_are_unknown(recruiter_client, quiz):
    attempt = finish(quiz, {3: ["Взрыв градиентов"]})
    ScoreChange.objects.create(
        attempt=attempt, kind="regrade", old_score=0, new_score=1, itemized=False
    )
    [row] = history_rows(recruiter_client, attempt)
    assert "Баллы по вопросам для этого изменения не записаны." in text(row)
    assert "Итого: 0 → 1" in text(row) and question_changes(row) == []


def test_english_history_reads_question_and_total(client, recruiter, quiz):
    attempt = finish(quiz, {3: ["Взрыв градиентов"]})
    override_question_score(
        attempt=attempt,
        question_id=quiz.questions.get(position=2).id,
        points=Decimal("0.5"),
        reason="r",
        user=recruiter,
    )
    client.force_login(recruiter)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    [row] = history_rows(client, attempt)
    assert "Manual override: question 2: 0 → 0.5 Total: 1 → 1.5" in text(row)
