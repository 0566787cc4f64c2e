"""The candidate hot path's reads: what never changes about an attempt, and an attempt with
its saved answers in one query.

An attempt's page, its background saves and its submit all need the attempt's key, drawn
order and revision, which are fixed at start: they are kept in the cache (Redis when set,
each process's memory otherwise) under the attempt's public id, so a save need not read the
attempt before it locks it. What does change (state, deadline, save number, answers) is
always read from the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db import NotSupportedError
from django.db.models import F, Func, QuerySet, TextField

from quizzes.content import Layout
from quizzes.models import Answer, Attempt
from quizzes.opaque import Tokens

FACTS_TIMEOUT = 24 * 60 * 60


@dataclass(frozen=True, slots=True)
class AttemptFacts:
    """What an attempt was given at start and keeps while it is open: never stale for its
    saves, so safe in any cache (a regrade moves only finished attempts to another revision,
    and a finished attempt takes no more answers)."""

    pk: int
    public_id: str
    quiz_id: int
    revision_id: int
    content_hash: str
    token_key: str
    layout: Layout

    @property
    def tokens(self) -> Tokens:
        return Tokens(self.token_key)


def _facts_key(public_id: object) -> str:
    return f"quizzes:attempt-facts:{public_id}"


def facts_of(attempt: Attempt) -> AttemptFacts:
    """The facts of a loaded attempt (its revision's content_hash loaded too), now cached."""
    facts = AttemptFacts(
        pk=attempt.pk,
        public_id=str(attempt.public_id),
        quiz_id=attempt.quiz_id,
        revision_id=attempt.revision_id,
        content_hash=attempt.revision.content_hash,
        token_key=attempt.token_key,
        layout=attempt.layout,
    )
    cache.set(_facts_key(facts.public_id), facts, FACTS_TIMEOUT)
    return facts


def attempt_facts(public_id: UUID | str) -> AttemptFacts | None:
    """The attempt's facts from the cache, or from one query on a miss; None if unknown."""
    facts = cache.get(_facts_key(public_id))
    if isinstance(facts, AttemptFacts):
        return facts
    attempt = (
        Attempt.objects.select_related("revision")
        .only(
            "public_id",
            "quiz_id",
            "revision_id",
            "token_key",
            "layout",
            "revision__content_hash",
        )
        .filter(public_id=public_id)
        .first()
    )
    return None if attempt is None else facts_of(attempt)


class SavedAnswersJson(Func):
    """An attempt's saved answers as JSON text, `[[question id, [option ids]], ...]`.

    A correlated subquery, so one query reads an attempt together with its answers.
    PostgreSQL and SQLite; other databases are refused. Under FOR UPDATE, PostgreSQL
    evaluates the subquery in the snapshot the statement started with, not after the lock
    was granted: selectors.answering.locked_with_answers reads again when a save committed
    while the lock was awaited.
    """

    output_field = TextField()

    def __init__(self, attempt: Any = None) -> None:
        super().__init__(attempt if attempt is not None else F("pk"))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        attempt_sql, params = compiler.compile(self.source_expressions[0])
        table = connection.ops.quote_name(Answer._meta.db_table)
        if connection.vendor == "postgresql":
            pairs = "COALESCE(json_agg(json_build_array(s.question_id, s.selected))::text, '[]')"
        elif connection.vendor == "sqlite":
            pairs = "json_group_array(json_array(s.question_id, json(s.selected)))"
        else:
            raise NotSupportedError(f"saved answers in one query on {connection.vendor}")
        sql = f"(SELECT {pairs} FROM {table} s WHERE s.attempt_id = {attempt_sql})"
        return sql, params


def parse_saved_answers(text: str | None) -> dict[int, list[int]]:
    """SavedAnswersJson's text as {question id: option ids} (an empty list: cleared)."""
    if not text:
        return {}
    return {int(question_id): list(selected) for question_id, selected in json.loads(text)}


def with_saved_answers(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """The attempts annotated with `saved_answers_json` (see parse_saved_answers)."""
    return attempts.annotate(saved_answers_json=SavedAnswersJson())
