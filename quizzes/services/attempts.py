"""Attempts: starting one, submitting it exactly once, closing it when time is up.

Saving answers on the way is services/saving.py (its names are importable from here too).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from quizzes import grading
from quizzes.answers import AnswerKey
from quizzes.content import Layout, RevisionContent, max_score, section_groups
from quizzes.models import DEADLINE_GRACE, Attempt, Invite, Quiz
from quizzes.opaque import new_key
from quizzes.selectors.answering import locked_with_answers, revision_answer_key
from quizzes.selectors.attempt_state import facts_of
from quizzes.services.answer_rows import Graded, save_grades
from quizzes.services.revisions import current_revision_and_content
from quizzes.services.saving import AttemptClosed as AttemptClosed
from quizzes.services.saving import InvalidAnswer as InvalidAnswer
from quizzes.services.saving import accepts_answers, checked_selections
from quizzes.services.saving import save_answers as save_answers
from quizzes.services.scoring import marks_total_of, stored_fraction

logger = logging.getLogger(__name__)


class QuizClosed(Exception):
    """The quiz's close date has passed: no attempt starts any more."""


def draw_layout(
    content: RevisionContent,
    *,
    shuffle_questions: bool,
    shuffle_options: bool,
    rng: random.Random | None = None,
) -> Layout:
    """Draw the order this attempt presents questions and options in; stored, never redrawn."""
    rng = rng or random.SystemRandom()
    question_ids = []
    for _title, section_ids in section_groups(content):
        # Shuffling keeps each section's questions together, sections in their order.
        if shuffle_questions:
            rng.shuffle(section_ids)
        question_ids.extend(section_ids)
    options = {}
    for question in content["questions"]:
        option_ids = [option["id"] for option in question["options"]]
        if shuffle_options:
            rng.shuffle(option_ids)
        options[str(question["id"])] = option_ids
    return {"questions": question_ids, "options": options}


def start_attempt(
    *,
    quiz: Quiz,
    candidate_name: str,
    candidate_email: str,
    invite: Invite | None = None,
    browser: str = "",
    rng: random.Random | None = None,
) -> Attempt:
    """Create an attempt tied to the quiz's current revision, with its order and deadline.

    It also gets the key its page's opaque question and option tokens derive from.
    Checks no attempt limit: the candidate flows go through services.admission (public
    page) and services.invites (links), which enforce the attempts allowed first.
    Raises QuizClosed after the quiz's close date.
    """
    now = timezone.now()
    if quiz.is_closed(now):
        raise QuizClosed
    rng = rng or random.SystemRandom()
    # The content just built has the revision's hash: the same questions, options, points
    # and sections as the stored content, which this start therefore does not read back.
    revision, content = current_revision_and_content(quiz, rng=rng)
    questions = content["questions"]
    attempt = Attempt.objects.create(
        quiz=quiz,
        revision=revision,
        invite=invite,
        candidate_name=candidate_name,
        candidate_email=candidate_email,
        browser=browser,
        layout=draw_layout(
            content,
            shuffle_questions=quiz.shuffle_questions,
            shuffle_options=quiz.shuffle_options,
            rng=rng,
        ),
        token_key=new_key(
            (question["id"] for question in questions),
            (option["id"] for question in questions for option in question["options"]),
        ),
        started_at=now,
        deadline=attempt_deadline(quiz, now),
        max_score=max_score(content),
    )
    # The page's saves and submit find the attempt's fixed facts in the cache from the
    # first one on; only once the attempt exists for everyone else.
    transaction.on_commit(lambda: facts_of(attempt))
    return attempt


def attempt_deadline(quiz: Quiz, started_at: datetime) -> datetime | None:
    """When an attempt started at `started_at` must end: its time limit, the close at the latest.

    Every attempt ends by the close, so the review shown after it cannot help anyone still
    answering.
    """
    ends = [started_at + quiz.time_limit] if quiz.time_limit else []
    if quiz.closes_at is not None:
        ends.append(quiz.closes_at)
    return min(ends, default=None)


@transaction.atomic
def follow_close_date(*, quiz: Quiz) -> int:
    """Give the quiz's open attempts the deadlines its (changed) close date implies.

    Each deadline is recomputed from the attempt's start, the quiz's time limit and its
    close date, so moving the close earlier ends attempts in progress by then and moving
    it later gives back the time the old close took. Returns how many deadlines changed.
    """
    attempts = list(
        Attempt.objects.select_for_update(of=("self",)).filter(
            quiz=quiz, state=Attempt.State.IN_PROGRESS
        )
    )
    changed = []
    for attempt in attempts:
        deadline = attempt_deadline(quiz, attempt.started_at)
        if deadline != attempt.deadline:
            attempt.deadline = deadline
            changed.append(attempt)
    Attempt.objects.bulk_update(changed, ["deadline"], batch_size=500)
    return len(changed)


@dataclass
class SubmitOutcome:
    attempt: Attempt
    # False when this request found the attempt already finished (double submit, second tab).
    graded_now: bool
    timed_out: bool = False
    # The submitted selections were older than a save from another tab or device, so the
    # saved (newer) answers were graded instead.
    kept_newer_answers: bool = False


@transaction.atomic
def submit_attempt(
    *,
    attempt_id: int,
    selections: Mapping[int, Iterable[int]] | None = None,
    seq: int | None = None,
) -> SubmitOutcome:
    """Finalize and grade an attempt exactly once.

    The row lock makes concurrent submits queue up; whoever comes second sees the state
    already changed and gets the stored result. Answers that arrive past the deadline
    grace are ignored and the attempt is closed with what was saved before. `seq` is the
    page's save number, as in save_answers: selections not above the last accepted save
    are stale, and the newer saved answers are graded.

    Three queries: the locked attempt with its saved answers (one more when a save got in
    while it waited for the lock), every answer with its grade in one statement, the
    attempt's result. The recruiters and webhooks hear of it from
    one task queued after the commit.
    """
    attempt, answers = locked_with_answers(attempt_id)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return SubmitOutcome(attempt=attempt, graded_now=False)
    key = revision_answer_key(attempt.revision_id, attempt.revision.content_hash)
    now = timezone.now()
    timed_out = not accepts_answers(attempt, now)
    stale = seq is not None and seq <= attempt.save_seq
    if selections is not None and not timed_out:
        clean = checked_selections(key, selections)
        if not stale:
            answers.update(clean)
    _grade(attempt, key, answers, now)
    if timed_out and attempt.deadline is not None:
        attempt.state = Attempt.State.CLOSED
        attempt.submitted_at = min(now, attempt.deadline + DEADLINE_GRACE)
    else:
        attempt.state = Attempt.State.SUBMITTED
        attempt.submitted_at = now
    Attempt.objects.filter(pk=attempt.pk).update(
        state=attempt.state,
        submitted_at=attempt.submitted_at,
        score=attempt.score,
        max_score=attempt.max_score,
        marks_total=attempt.marks_total,
    )
    transaction.on_commit(partial(announce_finished, attempt.pk))
    return SubmitOutcome(
        attempt=attempt,
        graded_now=True,
        timed_out=timed_out,
        kept_newer_answers=stale and selections is not None and not timed_out,
    )


def _grade(attempt: Attempt, key: AnswerKey, answers: dict[int, list[int]], now: datetime) -> None:
    """Grade the answers, store each one's grade, and set (unsaved) the attempt's totals."""
    result = grading.grade_attempt(key.gradable, answers)
    grades = {grade.question_id: grade for grade in result.questions}
    graded = {
        question_id: Graded(
            selected=selected,
            fraction=stored_fraction(grades[question_id].fraction),
            points=grades[question_id].points,
        )
        for question_id, selected in answers.items()
        if question_id in grades
    }
    save_grades(attempt.pk, graded, now)
    attempt.score = result.score
    attempt.max_score = result.max_score
    # No overrides yet: they are made on finished attempts only.
    attempt.marks_total = marks_total_of(answer.points for answer in graded.values())


def announce_finished(attempt_id: int) -> None:
    """Ask the queue to tell recruiters and webhooks the attempt is finished; never fails
    the caller.

    Queued after the commit, so the candidate's request spends no query on it, and a
    queue that is down costs the notification, not the submit.
    """
    from quizzes.tasks import attempt_finished  # the tasks module imports this one

    try:
        attempt_finished(attempt_id)
    except Exception:
        logger.exception("Could not queue the notification of attempt %s", attempt_id)


def overdue_attempt_ids(*, now: datetime | None = None) -> list[int]:
    """Open attempts whose deadline plus grace has passed, oldest deadline first."""
    now = now or timezone.now()
    return list(
        Attempt.objects.filter(state=Attempt.State.IN_PROGRESS, deadline__lt=now - DEADLINE_GRACE)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )


def close_overdue_attempts(
    *, now: datetime | None = None, on_closed: Callable[[Attempt], object] | None = None
) -> int:
    """Finalize attempts whose deadline (plus grace) passed; safe to run concurrently.

    Each attempt is closed in its own transaction under its row lock, so two runs (or a
    run racing a candidate's late submit) finalize every attempt exactly once.
    `on_closed(attempt)` is called for each attempt this run closed. An attempt that
    cannot be closed (an error in its data) is logged and skipped: it must not keep the
    others open, run after run.
    """
    closed = 0
    for attempt_id in overdue_attempt_ids(now=now):
        try:
            outcome = submit_attempt(attempt_id=attempt_id)
        except Exception:
            logger.exception("Could not close overdue attempt %s", attempt_id)
            continue
        if outcome.graded_now:
            closed += 1
            if on_closed is not None:
                on_closed(outcome.attempt)
    return closed


def close_if_overdue(*, attempt: Attempt) -> bool:
    """Finalize this open attempt if its time is up; True when it is (now) finished."""
    if attempt.is_open and accepts_answers(attempt):
        return False
    if attempt.is_open:
        submit_attempt(attempt_id=attempt.pk)
    return True
