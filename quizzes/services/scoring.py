"""Scoring: storing each answer's grade and an attempt's total, overrides included."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from django.db import connection

from quizzes import grading
from quizzes.content import gradable_questions
from quizzes.models import Answer, Attempt

FRACTION_STEP = Decimal("0.000001")


def grade_and_store(attempt: Attempt) -> grading.AttemptGrade:
    """Grade the attempt's saved answers against its revision and store each answer's grade.

    Also sets (without saving) `attempt.marks_total` from the stored grades: the caller
    saves it with the score.
    """
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    result = grading.grade_attempt(
        gradable_questions(attempt.revision.content),
        {question_id: answer.selected for question_id, answer in answers.items()},
    )
    to_update = []
    for question_grade in result.questions:
        answer = answers.get(question_grade.question_id)
        if answer is None:
            continue
        answer.fraction = stored_fraction(question_grade.fraction)
        answer.points = question_grade.points
        to_update.append(answer)
    _store_grades(to_update)
    attempt.marks_total = marks_total(answers.values())
    return result


def stored_fraction(fraction: Fraction) -> Decimal:
    """A question's exact share of its points as Answer.fraction keeps it."""
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(FRACTION_STEP)


def marks_total(answers: Iterable[Answer]) -> Decimal:
    """The sum of the answers' stored points, overrides replacing them (Attempt.marks_total)."""
    return marks_total_of(answer.effective_points for answer in answers)


def marks_total_of(points: Iterable[Decimal | None]) -> Decimal:
    return sum((value or Decimal(0) for value in points), Decimal(0)).quantize(Decimal("0.0001"))


def _store_grades(answers: list[Answer]) -> None:
    """Write the answers' fraction and points in one UPDATE ... FROM (VALUES ...).

    bulk_update builds a CASE WHEN per row and field; for 40 answers resolving those
    expressions was a third of a submit's CPU (bench/README.md). PostgreSQL and SQLite
    (3.33+) both take UPDATE ... FROM, and name a VALUES list's columns column1, column2...
    """
    if not answers:
        return
    if connection.vendor not in {"postgresql", "sqlite"}:
        Answer.objects.bulk_update(answers, ["fraction", "points"])
        return
    fraction = Answer._meta.get_field("fraction")
    points = Answer._meta.get_field("points")
    cast = "::numeric" if connection.vendor == "postgresql" else ""
    table = connection.ops.quote_name(Answer._meta.db_table)
    params = []
    for answer in answers:
        params += [
            answer.pk,
            fraction.get_db_prep_save(answer.fraction, connection),
            points.get_db_prep_save(answer.points, connection),
        ]
    values = ", ".join(["(%s, %s, %s)"] * len(answers))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET fraction = v.column2{cast}, points = v.column3{cast} "
            f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
            params,
        )


def final_score(result: grading.AttemptGrade, answers: Iterable[Answer]) -> Decimal:
    """The graded total with recruiters' per-question overrides replacing computed points."""
    computed = {question.question_id: question.points for question in result.questions}
    return result.score + sum(
        (
            answer.override_points - computed[answer.question_id]
            for answer in answers
            if answer.override_points is not None and answer.question_id in computed
        ),
        Decimal(0),
    )


def rescore(attempt: Attempt) -> Decimal:
    """The attempt's total recomputed from its revision, saved answers and overrides."""
    answers = list(attempt.answers.all())
    result = grading.grade_attempt(
        gradable_questions(attempt.revision.content),
        {answer.question_id: answer.selected for answer in answers},
    )
    return final_score(result, answers)
