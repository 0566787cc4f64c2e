"""What a candidate's saves and submit read besides the attempt: its revision's answer key
(kept per process), and the little they need on the rare paths.

Decoding a revision's content (tens of kilobytes of JSON with every question's HTML) was
most of a save's CPU, and checking or grading a post needs only its ids, kinds, verdicts
and points. A revision never changes once written, apart from its stored HTML, which
neither reads; the key is still keyed by content hash too, so a reused id (a test
database rolled back) can never serve another revision's key.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from quizzes.answers import AnswerKey, answer_key
from quizzes.models import Attempt, Quiz, QuizRevision

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


def attempt_is_open(attempt_id: int) -> bool:
    """Whether the attempt is still in progress (its deadline aside), read now."""
    return Attempt.objects.filter(pk=attempt_id, state=Attempt.State.IN_PROGRESS).exists()


def quiz_is_paged(quiz_id: int) -> bool:
    """Whether the quiz shows one question per page: a setting, so read now."""
    navigation = Quiz.objects.values_list("navigation", flat=True).get(pk=quiz_id)
    return navigation == Quiz.Navigation.PAGED
