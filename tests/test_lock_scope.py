"""Row locks cover one attempt, not its quiz: candidates of one quiz never wait on each other.

`select_for_update()` with `select_related()` locks every joined row too. Locking the shared
quiz and revision rows serialized every save and submit of a quiz behind one another and
deadlocked under load (`make bench`: PostgreSQL "deadlock detected" on concurrent submits).
"""

import threading

import pytest
from django.db import connection, transaction

from quizzes.services.attempts import SubmitOutcome, save_answers, start_attempt, submit_attempt
from quizzes.services.invites import redeem_invite
from quizzes.services.revisions import current_revision
from tests.builders import make_quiz

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def while_holding(first, second) -> object:
    """Run `first` in a transaction kept open on another connection, then `second` here with a
    short lock timeout; return what `second` returned or raised."""
    locked, done = threading.Event(), threading.Event()
    errors = []

    def holder():
        try:
            with transaction.atomic():
                first()
                locked.set()
                done.wait(timeout=10)
        except Exception as error:
            errors.append(error)
            locked.set()
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        assert not errors, errors
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                return second()
        except Exception as error:
            return error
    finally:
        done.set()
        thread.join(timeout=15)


def two_attempts():
    quiz = make_quiz()
    first, second = (
        start_attempt(quiz=quiz, candidate_name=n, candidate_email=f"{n}@example.com")
        for n in ("a", "b")
    )
    question = first.revision.content["questions"][1]
    return first, second, {question["id"]: [question["options"][0]["id"]]}


def test_a_save_does_not_wait_for_another_candidates_open_save():
    first, second, answer = two_attempts()
    result = while_holding(
        lambda: save_answers(attempt_id=first.pk, selections=answer),
        lambda: save_answers(attempt_id=second.pk, selections=answer),
    )
    assert result is True
    assert second.answers.get().selected == answer[next(iter(answer))]


def test_a_submit_does_not_wait_for_another_candidates_open_submit():
    first, second, answer = two_attempts()
    result = while_holding(
        lambda: submit_attempt(attempt_id=first.pk, selections=answer),
        lambda: submit_attempt(attempt_id=second.pk, selections=answer),
    )
    assert isinstance(result, SubmitOutcome), result
    assert result.graded_now and result.attempt.score == 1


def test_the_same_attempt_still_waits_for_its_own_lock():
    # The lock still does its job: a second submit of one attempt queues behind the first.
    first, _, answer = two_attempts()
    result = while_holding(
        lambda: submit_attempt(attempt_id=first.pk, selections=answer),
        lambda: submit_attempt(attempt_id=first.pk, selections=answer),
    )
    assert isinstance(result, Exception) and "lock timeout" in str(result)


def test_redeeming_an_invite_does_not_wait_for_another_invite_of_the_quiz():
    from quizzes.models import Invite

    quiz = make_quiz(access="invite")
    # The revision exists already (the first-ever start of new content creates it, and a
    # second start of the same content rightly waits for that insert to commit).
    current_revision(quiz)
    first, second = (
        Invite.objects.create(quiz=quiz, candidate_name=n, candidate_email=f"{n}@example.com")
        for n in ("a", "b")
    )
    result = while_holding(
        lambda: redeem_invite(invite_id=first.pk),
        lambda: redeem_invite(invite_id=second.pk),
    )
    assert not isinstance(result, Exception), result
    assert result.invite_id == second.pk and result.candidate_email == "b@example.com"
