"""The hot path's reads: an attempt's fixed facts from the cache, and its answers in one query."""

import pytest

from quizzes.models import Answer, Attempt
from quizzes.selectors.attempt_state import (
    attempt_facts,
    parse_saved_answers,
    with_saved_answers,
)
from quizzes.services.attempts import start_attempt
from tests.builders import make_large_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    quiz = make_large_quiz(access="public", questions=3, shuffle_options=True)
    return start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="anna@example.com")


def test_saved_answers_come_with_the_attempt_in_one_query(attempt, django_assert_num_queries):
    first, second, third = (q["id"] for q in attempt.revision.content["questions"])
    options = {
        q["id"]: [o["id"] for o in q["options"]] for q in attempt.revision.content["questions"]
    }
    Answer.objects.create(attempt=attempt, question_id=first, selected=options[first][2:4])
    # Answered, then cleared: an empty list, not a missing answer.
    Answer.objects.create(attempt=attempt, question_id=second, selected=[])
    with django_assert_num_queries(1):
        loaded = with_saved_answers(Attempt.objects.filter(pk=attempt.pk)).get()
    assert parse_saved_answers(loaded.saved_answers_json) == {
        first: options[first][2:4],
        second: [],
    }
    assert third not in parse_saved_answers(loaded.saved_answers_json)


def test_an_attempt_without_answers_reads_as_none_saved(attempt):
    loaded = with_saved_answers(Attempt.objects.filter(pk=attempt.pk)).get()
    assert parse_saved_answers(loaded.saved_answers_json) == {}


def test_other_attempts_answers_are_not_included(attempt):
    other = start_attempt(
        quiz=attempt.quiz, candidate_name="Борис", candidate_email="boris@example.com"
    )
    question = attempt.revision.content["questions"][0]
    Answer.objects.create(
        attempt=other, question_id=question["id"], selected=[question["options"][0]["id"]]
    )
    loaded = with_saved_answers(Attempt.objects.filter(pk=attempt.pk)).get()
    assert parse_saved_answers(loaded.saved_answers_json) == {}


def test_fixed_facts_are_read_once_then_served_from_the_cache(attempt, django_assert_num_queries):
    with django_assert_num_queries(1):
        facts = attempt_facts(attempt.public_id)
    with django_assert_num_queries(0):
        again = attempt_facts(attempt.public_id)
    assert facts == again
    assert facts.pk == attempt.pk
    assert facts.revision_id == attempt.revision_id
    assert facts.content_hash == attempt.revision.content_hash
    assert facts.layout == attempt.layout
    question = attempt.revision.content["questions"][0]["id"]
    assert facts.tokens.question(question) == attempt.tokens.question(question)


def test_an_unknown_attempt_has_no_facts(db, django_assert_num_queries):
    import uuid

    assert attempt_facts(uuid.uuid4()) is None


def test_a_started_attempt_leaves_its_facts_in_the_cache_once_committed(
    db, django_capture_on_commit_callbacks, django_assert_num_queries
):
    quiz = make_large_quiz(access="public", questions=3)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = start_attempt(
            quiz=quiz, candidate_name="Анна", candidate_email="anna@example.com"
        )
    with django_assert_num_queries(0):
        facts = attempt_facts(attempt.public_id)
    assert facts.pk == attempt.pk and facts.layout == attempt.layout


def test_a_start_rolled_back_leaves_no_facts(db):
    from django.db import transaction

    quiz = make_large_quiz(access="public", questions=3)
    with pytest.raises(RuntimeError), transaction.atomic():
        attempt = start_attempt(
            quiz=quiz, candidate_name="Анна", candidate_email="anna@example.com"
        )
        raise RuntimeError
    from django.core.cache import cache

    assert cache.get(f"quizzes:attempt-facts:{attempt.public_id}") is None
