"""Writing an attempt's answer rows in one statement each: INSERT ... ON CONFLICT DO UPDATE.

A save or submit used to read the attempt's answers, then create the new rows and update
the changed ones (and add time spent in two more queries). PostgreSQL and SQLite (3.24+)
both take `ON CONFLICT (attempt_id, question_id) DO UPDATE`, where `excluded` names the
row that was to be inserted and the table's name the row already there, so one statement
writes new and existing rows alike. Values go through each field's `get_db_prep_save`,
as the ORM would send them. Other databases are refused, as selectors/attempt_state.py
refuses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import NotSupportedError, connection, models

from quizzes.models import Answer

# A row's saved_at moves only when its selection does (the review shows when it was chosen).
_SELECTION = (
    "selected = excluded.selected, "
    "saved_at = CASE WHEN {table}.selected = excluded.selected "
    "THEN {table}.saved_at ELSE excluded.saved_at END"
)
_ADD_TIME = "time_spent = {table}.time_spent + excluded.time_spent"
_GRADE = "fraction = excluded.fraction, points = excluded.points"


@dataclass(frozen=True, slots=True)
class Graded:
    """One answer as the submit stores it."""

    selected: list[int]
    fraction: Decimal
    points: Decimal


def save_selections(
    attempt_id: int,
    selections: Mapping[int, list[int]],
    seconds: Mapping[int, int],
    now: datetime,
) -> None:
    """Store the selections and add the seconds spent; time alone never clears a selection.

    One statement for the answered questions (with their time), and one more only when
    time was reported for questions whose answer did not come with it.
    """
    rows = [
        (question_id, selected, now, seconds.get(question_id, 0))
        for question_id, selected in selections.items()
    ]
    _upsert(attempt_id, ["selected", "saved_at", "time_spent"], rows, [_SELECTION, _ADD_TIME])
    add_time_spent(
        attempt_id,
        {question_id: s for question_id, s in seconds.items() if question_id not in selections},
        now,
    )


def add_time_spent(attempt_id: int, seconds: Mapping[int, int], now: datetime) -> None:
    """Add seconds to the answers; a question not answered yet gets an empty answer."""
    rows: list[tuple] = [(question_id, [], now, value) for question_id, value in seconds.items()]
    _upsert(attempt_id, ["selected", "saved_at", "time_spent"], rows, [_ADD_TIME])


def save_grades(attempt_id: int, answers: Mapping[int, Graded], now: datetime) -> None:
    """Store the submit's answers with their grades (time spent stays as it was)."""
    rows = [
        (question_id, answer.selected, now, 0, answer.fraction, answer.points)
        for question_id, answer in answers.items()
    ]
    columns = ["selected", "saved_at", "time_spent", "fraction", "points"]
    _upsert(attempt_id, columns, rows, [_SELECTION, _GRADE])


def _params(fields: list[models.Field], attempt_id: int, rows: Sequence[tuple]) -> list:
    """The rows' values as the database takes them, each distinct value prepared once.

    Ids and seconds are plain integers already; a submit's rows share their time and
    mostly a few grades, so preparing every value (280 for 40 answers) would repeat work.
    """
    prepared: dict[tuple[int, object], object] = {}
    params: list = []
    for row in rows:
        for index, (field, value) in enumerate(zip(fields, (attempt_id, *row), strict=True)):
            if type(value) is int:
                params.append(value)
                continue
            memo = (index, tuple(value) if isinstance(value, list) else value)
            if memo not in prepared:
                prepared[memo] = field.get_db_prep_save(value, connection)
            params.append(prepared[memo])
    return params


def _field(name: str) -> models.Field:
    field = Answer._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _upsert(attempt_id: int, columns: list[str], rows: Sequence[tuple], updates: list[str]) -> None:
    """Insert each (question id, *columns) row, or update the answer already there."""
    if not rows:
        return
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise NotSupportedError(f"answers written in one statement on {connection.vendor}")
    fields = [_field(name) for name in ["attempt", "question_id", *columns]]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(Answer._meta.db_table)
    assignments = ", ".join(update.format(table=table) for update in updates)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, (connection.features.max_query_params or 10_000) // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            params = _params(fields, attempt_id, batch)
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholders] * len(batch))} "
                f"ON CONFLICT (attempt_id, question_id) DO UPDATE SET {assignments}",
                params,
            )
