"""Races between real connections on PostgreSQL: one grading, the newest save wins."""

from decimal import Decimal

import pytest

from quizzes import grading
from quizzes.content import gradable_questions
from quizzes.models import Answer, Attempt
from quizzes.services.attempts import (
    AttemptClosed,
    SubmitOutcome,
    save_answers,
    start_attempt,
    submit_attempt,
)
from tests.builders import ALL_RIGHT, ALL_WRONG, make_quiz, option_ids
from tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def selections(quiz, choices) -> dict[int, list[int]]:
    return {
        quiz.questions.get(position=position).id: sorted(option_ids(quiz, position, *texts))
        for position, texts in choices.items()
    }


def stored(attempt) -> dict[int, list[int]]:
    return {a.question_id: a.selected for a in Answer.objects.filter(attempt=attempt)}


def regraded_score(attempt) -> Decimal:
    attempt.refresh_from_db()
    result = grading.grade_attempt(gradable_questions(attempt.revision.content), stored(attempt))
    return result.score


def test_two_submits_with_different_answers_grade_once_and_keep_the_winners_answers():
    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    right, wrong = selections(quiz, ALL_RIGHT), selections(quiz, ALL_WRONG)

    pending = iter([right, wrong])  # one submission each; list iterators are thread-safe

    outcomes = run_together(
        lambda: submit_attempt(attempt_id=attempt.pk, selections=next(pending)), 2
    )

    assert all(isinstance(o, SubmitOutcome) for o in outcomes), outcomes
    assert sorted(o.graded_now for o in outcomes) == [False, True]
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    # The stored answers are exactly one submission's, and the score is theirs.
    assert stored(attempt) in (right, wrong)
    assert attempt.score == (Decimal(3) if stored(attempt) == right else Decimal(0))
    assert regraded_score(attempt) == attempt.score
    loser = next(o for o in outcomes if not o.graded_now)
    assert loser.attempt.submitted_at == attempt.submitted_at


def test_two_tabs_saving_at_once_end_with_the_newest_save():
    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    q1 = quiz.questions.get(position=1)
    options = [o.id for o in q1.options.order_by("position")]
    # Save number n ticks the first n options: the result shows which save won.
    saves = list(range(1, len(options) + 1))
    pending = iter(reversed(saves))  # the newest is handed out first, to make it hard

    def save():
        seq = next(pending)
        return seq, save_answers(attempt_id=attempt.pk, selections={q1.id: options[:seq]}, seq=seq)

    results = run_together(save, len(saves))

    assert all(isinstance(r, tuple) for r in results), results
    accepted = {seq for seq, ok in results if ok}
    assert max(saves) in accepted
    attempt.refresh_from_db()
    assert attempt.save_seq == max(saves)
    assert stored(attempt) == {q1.id: sorted(options)}


def test_saves_racing_a_submit_never_change_a_graded_attempt():
    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    right = selections(quiz, ALL_RIGHT)
    wrong = selections(quiz, ALL_WRONG)
    jobs = iter(["submit"] + [f"save-{n}" for n in range(1, 6)])

    def act():
        job = next(jobs)
        if job == "submit":
            return submit_attempt(attempt_id=attempt.pk)
        seq = int(job.split("-")[1])
        try:
            return save_answers(
                attempt_id=attempt.pk, selections=right if seq % 2 else wrong, seq=seq
            )
        except AttemptClosed:
            return "closed"

    results = run_together(act, 6)

    assert not [r for r in results if isinstance(r, Exception)], results
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    # Whatever got in before the submit was graded; nothing got in after it.
    assert regraded_score(attempt) == attempt.score
    late_saves = [r for r in results if r == "closed"]
    saved = [r for r in results if r is True]
    assert len(late_saves) + len(saved) + results.count(False) == 5


def test_two_browsers_redeeming_a_single_use_invite_at_once_get_one_attempt():
    from django.test import Client
    from django.urls import reverse

    from quizzes.models import Invite

    quiz = make_quiz(access="invite")
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Анна", candidate_email="anna@example.com", max_uses=1
    )
    browsers = [Client(), Client()]
    for browser in browsers:
        assert browser.get(invite.get_absolute_url()).status_code == 302
    pending = iter(browsers)

    responses = run_together(lambda: next(pending).post(reverse("quizzes:invite_start"), {}), 2)

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    attempt = Attempt.objects.get(invite=invite)
    assert {r["Location"] for r in responses} == {attempt.get_absolute_url()}
    invite.refresh_from_db()
    assert invite.uses == 1


def test_a_submit_that_waited_for_a_save_grades_the_saved_answers():
    # The submit's statement starts while a save holds the attempt's lock, and reads the
    # answers from before that save: it must notice and grade what the save committed.
    import threading
    import time

    from django.db import connection, transaction

    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    saving, commit = threading.Event(), threading.Event()
    results: list = []

    def save():
        try:
            with transaction.atomic():
                save_answers(attempt_id=attempt.pk, selections=selections(quiz, ALL_RIGHT), seq=1)
                saving.set()
                commit.wait(timeout=10)
        finally:
            saving.set()
            connection.close()

    def submit():
        try:
            results.append(submit_attempt(attempt_id=attempt.pk))
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    saver, submitter = threading.Thread(target=save), threading.Thread(target=submit)
    saver.start()
    assert saving.wait(timeout=10)
    submitter.start()
    time.sleep(0.5)  # the submit is waiting for the lock now
    commit.set()
    saver.join(timeout=15)
    submitter.join(timeout=15)

    assert [type(r) for r in results] == [SubmitOutcome], results
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert stored(attempt) == selections(quiz, ALL_RIGHT)
    assert attempt.score == regraded_score(attempt) == Decimal(3)
