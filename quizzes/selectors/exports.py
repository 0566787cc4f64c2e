"""Exports: the filtered attempts with their answers (and notes), chunk by chunk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from itertools import islice

from django.db.models import Prefetch, TextField
from django.db.models.functions import Cast

from quizzes.models import Answer, Attempt, AttemptNote
from quizzes.selectors.review import AttemptFilters, review_attempts
from quizzes.spreadsheet import ExportRow

EXPORT_CHUNK_SIZE = 2000
EXPORT_DECODED_MAX = 20_000

# {question id: (points, selected option ids)}
ExportedAnswers = dict[int, tuple[Decimal | None, list[int]]]


def export_attempts(
    filters: AttemptFilters, *, chunk_size: int = EXPORT_CHUNK_SIZE
) -> Iterator[tuple[Attempt, ExportedAnswers]]:
    """The filtered attempts, each with {question id: (points, selected)}, chunk by chunk.

    The attempts come through a server-side cursor (PostgreSQL) in the list's order, with
    their notes (one query per chunk); each chunk's answers are read in one query as plain
    tuples, not model instances (3.9 million Answer objects were most of the export's
    time): memory bounded by the chunk.
    """
    notes = AttemptNote.objects.select_related("author").order_by("created_at", "id")
    attempts = (
        review_attempts(filters)
        .prefetch_related(Prefetch("notes", queryset=notes))
        .iterator(chunk_size=chunk_size)
    )
    # The choices arrive as JSON text and are decoded once per distinct text (a question
    # has few distinct answers), not once per answer.
    decoded: dict[str, list[int]] = {}
    while chunk := list(islice(attempts, chunk_size)):
        answers: dict[int, ExportedAnswers] = {attempt.pk: {} for attempt in chunk}
        rows = (
            Answer.objects.filter(attempt_id__in=list(answers))
            .annotate(selected_text=Cast("selected", TextField()))
            .values_list("attempt_id", "question_id", "points", "override_points", "selected_text")
        )
        for attempt_id, question_id, points, override, text in rows:
            selected = decoded.get(text)
            if selected is None:
                if len(decoded) > EXPORT_DECODED_MAX:
                    decoded.clear()  # pathological variety: stay bounded
                selected = decoded[text] = json.loads(text) if text else []
            answers[attempt_id][question_id] = (
                override if override is not None else points,
                selected,
            )
        for attempt in chunk:
            yield attempt, answers[attempt.pk]


def attempt_notes(attempt_ids: list[int]) -> dict[int, list[str]]:
    """Attempt id -> its notes' texts, oldest first: one query for a chunk of attempts."""
    notes: dict[int, list[str]] = {attempt_id: [] for attempt_id in attempt_ids}
    rows = (
        AttemptNote.objects.filter(attempt_id__in=attempt_ids)
        .order_by("attempt_id", "created_at", "id")
        .values_list("attempt_id", "text")
    )
    for attempt_id, text in rows:
        notes[attempt_id].append(text)
    return notes


def export_rows(
    filters: AttemptFilters, *, chunk_size: int = EXPORT_CHUNK_SIZE
) -> Iterator[ExportRow]:
    """export_attempts with each attempt's notes, read chunk by chunk as its answers are."""
    attempts = export_attempts(filters, chunk_size=chunk_size)
    while chunk := list(islice(attempts, chunk_size)):
        notes = attempt_notes([attempt.pk for attempt, _answers in chunk])
        for attempt, answers in chunk:
            yield ExportRow(attempt=attempt, answers=answers, notes=notes[attempt.pk])
