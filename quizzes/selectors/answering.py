"""What a candidate's saves and submit read: the attempt locked with its answers, its
revision's answer key (kept per process), and the little they need on the rare paths.

Decoding a revision's content (tens of kilobytes of JSON with every question's HTML) was
most of a save's CPU, and checking or grading a post needs only its ids, kinds, verdicts
and points. A revision never changes once written, apart from its stored HTML, which
neither reads; the key is still keyed by content hash too, so a reused id (a test
database rolled back) can never serve another revision's key.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from django.db import connection
from django.db.models.expressions import RawSQL

from quizzes.answers import AnswerKey, answer_key
from quizzes.models import Attempt, Quiz, QuizRevision
from quizzes.selectors.attempt_state import parse_saved_answers, with_saved_answers

# A few hundred bytes a question: room for every revision in use at once.
KEYS_MAX = 256
_keys: OrderedDict[tuple[int, str], AnswerKey] = OrderedDict()
_keys_lock = Lock()


def revision_answer_key(revision_id: int, content_hash: str) -> AnswerKey:
    """The revision's answer key: from this process's cache, or one query on a miss."""
    cache_key = (revision_id, content_hash)
    with _keys_lock:
        found = _keys.get(cache_key)
        if found is not None:
            _keys.move_to_end(cache_key)
            return found
    content = QuizRevision.objects.values_list("content", flat=True).get(pk=revision_id)
    key = answer_key(content)
    with _keys_lock:
        _keys[cache_key] = key
        while len(_keys) > KEYS_MAX:
            _keys.popitem(last=False)
    return key


def forget_answer_keys() -> None:
    """Empty this process's answer keys (tests of the cold path, benchmarks)."""
    with _keys_lock:
        _keys.clear()


def locked_with_answers(attempt_id: int) -> tuple[Attempt, dict[int, list[int]]]:
    """The attempt locked for the rest of the transaction (FOR UPDATE OF it alone), and its
    saved answers as of the lock: one query unless a save got in first.

    PostgreSQL reads a statement's subqueries from the snapshot the statement started with,
    also when it then waits for the row lock: a save that commits meanwhile leaves the
    locked row newer than the answers read with it. The row's version (xmin) as locked and
    as the snapshot saw it tell, and then the answers are read again, after the lock.
    SQLite runs one writer at a time.
    """
    query = (
        with_saved_answers(Attempt.objects.select_for_update(of=("self",)))
        .select_related("revision")
        .defer("revision__content")
    )
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Attempt._meta.db_table)
        query = query.annotate(
            locked_version=RawSQL(f"{table}.xmin::text", ()),
            seen_version=RawSQL(
                f"(SELECT seen.xmin::text FROM {table} seen WHERE seen.id = {table}.id)", ()
            ),
        )
    attempt = query.get(pk=attempt_id)
    text = attempt.saved_answers_json  # type: ignore[attr-defined]
    if getattr(attempt, "locked_version", None) != getattr(attempt, "seen_version", None):
        again = with_saved_answers(Attempt.objects.filter(pk=attempt_id))
        text = again.values_list("saved_answers_json", flat=True).get()  # type: ignore[misc]
    return attempt, parse_saved_answers(text)


def attempt_is_open(attempt_id: int) -> bool:
    """Whether the attempt is still in progress (its deadline aside), read now."""
    return Attempt.objects.filter(pk=attempt_id, state=Attempt.State.IN_PROGRESS).exists()


def quiz_is_paged(quiz_id: int) -> bool:
    """Whether the quiz shows one question per page: a setting, so read now."""
    navigation = Quiz.objects.values_list("navigation", flat=True).get(pk=quiz_id)
    return navigation == Quiz.Navigation.PAGED
