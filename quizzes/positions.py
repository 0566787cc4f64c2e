"""Positions of questions in a quiz and options in a question: unique per parent, 1..n.

Uniqueness is a database constraint, so reordering goes through a range no real position
uses instead of swapping two rows into each other's place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db import models

from quizzes.models import Option, Question

PARKING = 1_000_000

Sibling = TypeVar("Sibling", Question, Option)


def park_positions(model: type[Question] | type[Option], pks: Iterable[int]) -> None:
    """Move rows out of the 1..n range, so their siblings can take any position."""
    model.objects.filter(pk__in=list(pks)).update(position=models.F("position") + PARKING)


def renumber(rows: Sequence[Sibling], model: type[Sibling]) -> None:
    """Give `rows` (siblings, in the wanted order) positions 1..n without breaking uniqueness."""
    if [row.position for row in rows] == list(range(1, len(rows) + 1)):
        return
    park_positions(model, [row.pk for row in rows])
    for index, row in enumerate(rows, start=1):
        row.position = index
    model.objects.bulk_update(rows, ["position"])


def next_position(model: type[Question] | type[Option], **parent: object) -> int:
    """The position after the last sibling: new rows go to the end without typing a number."""
    last = model.objects.filter(**parent).aggregate(last=models.Max("position"))["last"]
    return (last or 0) + 1
