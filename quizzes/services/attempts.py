"""Attempts: starting one, saving answers as the candidate goes, submitting exactly once."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from quizzes import grading
from quizzes.content import Layout, RevisionContent, max_score, section_groups
from quizzes.integrity import MAX_SECONDS_PER_REPORT, MAX_SIGNAL_EVENTS, Signals, clamp
from quizzes.models import DEADLINE_GRACE, SAVE_SEQ_LEAD_MS, Answer, Attempt, Invite, Quiz
from quizzes.opaque import new_key
from quizzes.services.revisions import current_revision_and_content
from quizzes.services.scoring import grade_and_store
from quizzes.services.webhooks import announce_attempt_finished

logger = logging.getLogger(__name__)


class AttemptClosed(Exception):
    """The attempt no longer accepts answers (submitted, closed or past its deadline)."""


class QuizClosed(Exception):
    """The quiz's close date has passed: no attempt starts any more."""


class InvalidAnswer(ValueError):
    """A forged or malformed answer: unknown question, option of another question, ..."""


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
    return Attempt.objects.create(
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


def validate_selections(
    content: RevisionContent, selections: Mapping[int, Iterable[int]]
) -> dict[int, list[int]]:
    """Check every question and option id against the revision; return clean selections."""
    options_by_question = {
        q["id"]: ({o["id"] for o in q["options"]}, q["kind"]) for q in content["questions"]
    }
    clean: dict[int, list[int]] = {}
    for question_id, option_ids in selections.items():
        if question_id not in options_by_question:
            raise InvalidAnswer(f"question {question_id} is not part of this attempt")
        allowed, kind = options_by_question[question_id]
        given = list(option_ids)
        chosen = list(dict.fromkeys(given))
        if len(chosen) != len(given):
            raise InvalidAnswer(f"an option is repeated in question {question_id}")
        unknown = [option_id for option_id in chosen if option_id not in allowed]
        if unknown:
            raise InvalidAnswer(f"option {unknown[0]} does not belong to question {question_id}")
        if kind == grading.Kind.SINGLE and len(chosen) > 1:
            raise InvalidAnswer(f"question {question_id} takes one option")
        clean[question_id] = sorted(chosen)
    return clean


def accepts_answers(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if attempt.state != Attempt.State.IN_PROGRESS:
        return False
    return attempt.deadline is None or now <= attempt.deadline + DEADLINE_GRACE


def _store_selections(attempt: Attempt, selections: Mapping[int, list[int]], now: datetime) -> None:
    existing = {answer.question_id: answer for answer in attempt.answers.all()}
    to_create, to_update = [], []
    for question_id, option_ids in selections.items():
        answer = existing.get(question_id)
        if answer is None:
            to_create.append(
                Answer(attempt=attempt, question_id=question_id, selected=option_ids, saved_at=now)
            )
        elif answer.selected != option_ids:
            answer.selected = option_ids
            answer.saved_at = now
            to_update.append(answer)
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(to_update, ["selected", "saved_at"])


def _record_signals(attempt: Attempt, signals: Signals, now: datetime) -> None:
    counters = {
        "focus_lost_count": clamp(signals.focus_lost, MAX_SIGNAL_EVENTS),
        "hidden_count": clamp(signals.hidden, MAX_SIGNAL_EVENTS),
        "copy_count": clamp(signals.copies, MAX_SIGNAL_EVENTS),
        "paste_count": clamp(signals.pastes, MAX_SIGNAL_EVENTS),
    }
    increments = {name: models.F(name) + value for name, value in counters.items() if value}
    if increments:
        Attempt.objects.filter(pk=attempt.pk).update(**increments)
    known = {question["id"] for question in attempt.revision.content["questions"]}
    seconds = {
        int(question_id): clamp(value, MAX_SECONDS_PER_REPORT)
        for question_id, value in signals.time_spent.items()
        if int(question_id) in known and clamp(value, MAX_SECONDS_PER_REPORT)
    }
    if seconds:
        _add_time_spent(attempt, seconds, now)


def _add_time_spent(attempt: Attempt, seconds: dict[int, int], now: datetime) -> None:
    existing = set(
        attempt.answers.filter(question_id__in=seconds).values_list("question_id", flat=True)
    )
    # Time spent on a question not answered yet still counts: keep it on an empty answer.
    Answer.objects.bulk_create(
        Answer(attempt=attempt, question_id=question_id, selected=[], saved_at=now)
        for question_id in seconds
        if question_id not in existing
    )
    added = models.Case(
        *(
            models.When(question_id=question_id, then=value)
            for question_id, value in seconds.items()
        ),
        default=0,
        output_field=models.IntegerField(),
    )
    attempt.answers.filter(question_id__in=seconds).update(
        time_spent=models.F("time_spent") + added
    )


def save_seq_limit(attempt: Attempt, now: datetime) -> int:
    """The highest save number accepted now: a little ahead of the clock or the last one."""
    return max(attempt.save_seq, int(now.timestamp() * 1000)) + SAVE_SEQ_LEAD_MS


@transaction.atomic
def save_answers(
    *,
    attempt_id: int,
    selections: Mapping[int, Iterable[int]],
    seq: int | None = None,
    signals: Signals | None = None,
) -> bool:
    """Store the candidate's current choices; False when the save is stale.

    `seq` is the client's save counter: a save whose number is not higher than the last
    accepted one arrived out of order and is dropped, so the newest state always wins.
    Integrity signals are deltas and are counted even when the answers are stale.
    Raises AttemptClosed when the attempt no longer accepts answers, and InvalidAnswer
    for a `seq` too far ahead (see SAVE_SEQ_LEAD_MS): nothing at all is stored then.
    """
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision")
        .get(pk=attempt_id)
    )
    now = timezone.now()
    if not accepts_answers(attempt, now):
        raise AttemptClosed
    clean = validate_selections(attempt.revision.content, selections)
    if seq is not None and seq > save_seq_limit(attempt, now):
        raise InvalidAnswer(f"save number {seq} is too far ahead")
    if signals is not None:
        _record_signals(attempt, signals, now)
    if seq is not None:
        if seq <= attempt.save_seq:
            return False
        Attempt.objects.filter(pk=attempt.pk).update(save_seq=seq)
    _store_selections(attempt, clean, now)
    return True


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
    """
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision", "quiz")
        .get(pk=attempt_id)
    )
    if attempt.state != Attempt.State.IN_PROGRESS:
        return SubmitOutcome(attempt=attempt, graded_now=False)
    now = timezone.now()
    timed_out = not accepts_answers(attempt, now)
    stale = seq is not None and seq <= attempt.save_seq
    if selections is not None and not timed_out:
        clean = validate_selections(attempt.revision.content, selections)
        if not stale:
            _store_selections(attempt, clean, now)
    result = grade_and_store(attempt)
    if timed_out and attempt.deadline is not None:
        attempt.state = Attempt.State.CLOSED
        attempt.submitted_at = min(now, attempt.deadline + DEADLINE_GRACE)
    else:
        attempt.state = Attempt.State.SUBMITTED
        attempt.submitted_at = now
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.save(update_fields=["state", "submitted_at", "score", "max_score", "marks_total"])
    transaction.on_commit(lambda: announce_finished(attempt.pk))
    announce_attempt_finished(attempt)
    return SubmitOutcome(
        attempt=attempt,
        graded_now=True,
        timed_out=timed_out,
        kept_newer_answers=stale and selections is not None and not timed_out,
    )


def announce_finished(attempt_id: int) -> None:
    """Ask the queue to tell recruiters the attempt is finished; never fails the caller.

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
