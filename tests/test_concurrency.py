"""Races that only a real database with real connections can show."""

import threading

import pytest
from django.db import connection

from quizzes.models import Attempt, QuizRevision
from quizzes.services.attempts import SubmitOutcome, start_attempt, submit_attempt
from tests.builders import make_quiz

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(target, count: int) -> list:
    """Run `target` in `count` threads released at the same moment; return results/errors."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_submits_grade_an_attempt_exactly_once():
    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    q2 = quiz.questions.get(position=2)
    right = {q2.id: [q2.options.get(position=1).id]}

    outcomes = run_together(lambda: submit_attempt(attempt_id=attempt.pk, selections=right), 4)

    assert all(isinstance(o, SubmitOutcome) for o in outcomes), outcomes
    assert sum(o.graded_now for o in outcomes) == 1
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 1


def test_concurrent_starts_of_new_content_share_one_revision():
    quiz = make_quiz()
    attempts = run_together(
        lambda: start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org"), 4
    )
    assert all(isinstance(a, Attempt) for a in attempts), attempts
    assert QuizRevision.objects.count() == 1
