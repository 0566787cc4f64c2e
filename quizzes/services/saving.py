"""Saving answers as the candidate goes: the newest save wins, signals always count.

services/attempts.py starts and submits attempts; both share the checks here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from quizzes.answers import AnswerKey, Refused, clean_selections
from quizzes.integrity import MAX_SECONDS_PER_REPORT, MAX_SIGNAL_EVENTS, Signals, clamp
from quizzes.models import DEADLINE_GRACE, SAVE_SEQ_LEAD_MS, Attempt
from quizzes.selectors.answering import revision_answer_key
from quizzes.services.answer_rows import add_time_spent, save_selections


class AttemptClosed(Exception):
    """The attempt no longer accepts answers (submitted, closed or past its deadline)."""


class InvalidAnswer(ValueError):
    """A forged or malformed answer: unknown question, option of another question, ..."""


def accepts_answers(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if attempt.state != Attempt.State.IN_PROGRESS:
        return False
    return attempt.deadline is None or now <= attempt.deadline + DEADLINE_GRACE


def checked_selections(
    key: AnswerKey, selections: Mapping[int, Iterable[int]]
) -> dict[int, list[int]]:
    """The selections with their ids checked against the revision, options sorted."""
    try:
        return clean_selections(key, selections)
    except Refused as refused:
        raise InvalidAnswer(str(refused)) from refused


def answer_key_of(attempt_id: int) -> AnswerKey:
    """The answer key of the attempt's revision (one query, more on a cold key)."""
    revision_id, content_hash = Attempt.objects.values_list(
        "revision_id", "revision__content_hash"
    ).get(pk=attempt_id)
    return revision_answer_key(revision_id, content_hash)


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool  # False: stale, an out-of-order save (the newer answers stay)
    seq: int  # the number the page's next save has to exceed


def save_answers(
    *,
    attempt_id: int,
    selections: Mapping[int, Iterable[int]],
    seq: int | None = None,
    signals: Signals | None = None,
    key: AnswerKey | None = None,
) -> bool:
    """Store the candidate's current choices; False when the save is stale (see record_save)."""
    return record_save(
        attempt_id=attempt_id, selections=selections, seq=seq, signals=signals, key=key
    ).saved


def record_save(
    *,
    attempt_id: int,
    selections: Mapping[int, Iterable[int]],
    seq: int | None = None,
    signals: Signals | None = None,
    key: AnswerKey | None = None,
) -> SaveOutcome:
    """Store the candidate's current choices, with the page's integrity signals.

    `seq` is the client's save counter: a save whose number is not higher than the last
    accepted one arrived out of order and is dropped, so the newest state always wins.
    Integrity signals are deltas and are counted even when the answers are stale.
    Raises AttemptClosed when the attempt no longer accepts answers, and InvalidAnswer
    for a forged selection or a `seq` too far ahead (see SAVE_SEQ_LEAD_MS): nothing at
    all is stored then. `key` is the attempt's revision's (read when not given).

    One guarded UPDATE of the attempt both checks that it accepts this save and takes its
    row lock; the answers follow in one statement. Only a save it refused reads why.
    """
    key = key if key is not None else answer_key_of(attempt_id)
    clean = checked_selections(key, selections)
    signals = signals or Signals()
    counters = _counters(signals)
    seconds = {
        question_id: clamp(value, MAX_SECONDS_PER_REPORT)
        for question_id, value in signals.time_spent.items()
        if question_id in key.options and clamp(value, MAX_SECONDS_PER_REPORT)
    }
    now = timezone.now()
    with transaction.atomic():
        if _accept_save(attempt_id, seq, counters, now):
            save_selections(attempt_id, clean, seconds, now)
            if seq is None:
                seq = Attempt.objects.values_list("save_seq", flat=True).get(pk=attempt_id)
            return SaveOutcome(saved=True, seq=seq)
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .only("state", "deadline", "save_seq")
            .get(pk=attempt_id)
        )
        if not accepts_answers(attempt, now):
            raise AttemptClosed
        if seq is not None and seq > save_seq_limit(attempt.save_seq, now):
            raise InvalidAnswer(f"save number {seq} is too far ahead")
        # Stale: the answers are older than the saved ones, the signals still count.
        if counters:
            Attempt.objects.filter(pk=attempt_id).update(**counters)
        add_time_spent(attempt_id, seconds, now)
        return SaveOutcome(saved=False, seq=attempt.save_seq)


def _counters(signals: Signals) -> dict[str, models.Expression]:
    counts = {
        "focus_lost_count": signals.focus_lost,
        "hidden_count": signals.hidden,
        "copy_count": signals.copies,
        "paste_count": signals.pastes,
    }
    return {
        name: models.F(name) + clamp(value, MAX_SIGNAL_EVENTS)
        for name, value in counts.items()
        if clamp(value, MAX_SIGNAL_EVENTS)
    }


def _accept_save(
    attempt_id: int, seq: int | None, counters: dict[str, models.Expression], now: datetime
) -> bool:
    """Take the save under the attempt's row lock if it is open and `seq` is newest and in
    range (both counted in the database, so concurrent saves cannot both pass)."""
    accepting = Q(pk=attempt_id, state=Attempt.State.IN_PROGRESS) & (
        Q(deadline__isnull=True) | Q(deadline__gte=now - DEADLINE_GRACE)
    )
    changes: dict[str, object] = dict(counters)
    if seq is not None:
        accepting &= Q(save_seq__lt=seq)
        # save_seq_limit in SQL: seq may lead the clock, or the last accepted number.
        if seq > save_seq_limit(0, now):
            accepting &= Q(save_seq__gte=seq - SAVE_SEQ_LEAD_MS)
        changes["save_seq"] = seq
    elif not changes:
        changes["save_seq"] = models.F("save_seq")  # no change, but the row lock
    return Attempt.objects.filter(accepting).update(**changes) == 1


def save_seq_limit(save_seq: int, now: datetime) -> int:
    """The highest save number accepted now: a little ahead of the clock or the last one."""
    return max(save_seq, int(now.timestamp() * 1000)) + SAVE_SEQ_LEAD_MS
