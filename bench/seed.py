"""Seed a benchmark database: one quiz of N questions × M options and many graded attempts.

Attempts and answers go in with PostgreSQL COPY (4 million answer rows in seconds); on other
databases with bulk_create in batches. Scores are the grading module's own results for the
drawn choices, so the seeded data is what the site itself would have stored.
"""

from __future__ import annotations

import io
import json
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connection, transaction
from django.utils import timezone

from quizzes import grading
from quizzes.content import gradable_questions
from quizzes.models import Answer, Attempt, Option, Question, Quiz
from quizzes.services.attempts import draw_layout
from quizzes.services.revisions import current_revision

BENCH_SLUG = "bench-40"


def build_quiz(*, questions: int = 40, options: int = 5, slug: str = BENCH_SLUG) -> Quiz:
    """A published quiz shaped like the real ones: markdown, code, feedback, explanations."""
    quiz = Quiz.objects.create(
        title=f"Benchmark: {questions} questions",
        slug=slug,
        description="A **benchmark** quiz with `code` and lists:\n\n- one\n- two",
        published=True,
        # Measured like the heaviest real case: anyone starts it, the full review right away.
        access=Quiz.Access.PUBLIC,
        review_after_attempt=Quiz.ReviewPolicy.FULL,
    )
    for n in range(1, questions + 1):
        multiple = n % 2 == 0
        question = Question.objects.create(
            quiz=quiz,
            position=n,
            kind="multiple" if multiple else "single",
            text=f"Question {n}: what does this print?\n\n```python\nprint(sum(range({n})))\n```",
            explanation=f"Because `sum(range({n}))` is **{sum(range(n))}**.",
        )
        verdicts = ["correct", "correct", "partial"] if multiple else ["correct"]
        Option.objects.bulk_create(
            Option(
                question=question,
                position=k,
                text=f"Option {n}.{k}: `{n * k}`",
                verdict=verdicts[k - 1] if k <= len(verdicts) else "incorrect",
                feedback=f"Option *{k}* is {'right' if k == 1 else 'worth a second look'}.",
            )
            for k in range(1, options + 1)
        )
    return quiz


@dataclass(frozen=True)
class Choice:
    """One way of answering a question, graded once and reused for every attempt."""

    selected: tuple[int, ...]
    exact: Fraction  # fraction × points, exact
    fraction: Decimal
    points: Decimal


def question_choices(question: grading.GradableQuestion) -> tuple[Choice, list[Choice]]:
    """(the fully right answer, the other plausible answers) for a question."""
    ids = [option.id for option in question.options]
    right = [option.id for option in question.options if option.verdict == grading.Verdict.CORRECT]
    if question.kind == grading.Kind.SINGLE:
        candidates = [[option_id] for option_id in ids]
    else:
        wrong = [option_id for option_id in ids if option_id not in right]
        candidates = [right, right[:1], right + wrong[:1], wrong[:1], ids[:2], wrong[:2]]

    def graded(selected: list[int]) -> Choice:
        grade = grading.grade_question(question, selected)
        return Choice(
            selected=tuple(sorted(selected)),
            exact=grade.fraction * Fraction(question.points),
            fraction=(
                Decimal(grade.fraction.numerator) / Decimal(grade.fraction.denominator)
            ).quantize(Decimal("0.000001")),
            points=grade.points,
        )

    choices = {tuple(sorted(c)): graded(c) for c in candidates}
    best = graded(right)
    return best, [c for key, c in choices.items() if key != best.selected]


@dataclass
class SeedReport:
    attempts: int
    answers: int
    seconds: float
    method: str

    @property
    def rows_per_second(self) -> float:
        return (self.attempts + self.answers) / self.seconds if self.seconds else 0.0


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class CopyTable:
    """COPY rows into a model's table; columns not given per row get the field default."""

    def __init__(self, model, given: list[str]):
        self.model = model
        rest = [
            field
            for field in model._meta.concrete_fields
            # Generated columns (Attempt.percent) are the database's to fill, COPY refuses them.
            if field.attname not in given and not field.primary_key and not field.generated
        ]
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        self.columns = [by_attname[name].column for name in given] + [f.column for f in rest]
        tail = []
        for field in rest:
            default = field.get_default()
            tail.append(
                _copy_text(json.dumps(default))
                if field.get_internal_type() == "JSONField"
                else _copy_text(field.get_db_prep_save(default, connection))
            )
        self.tail = ("\t" + "\t".join(tail)) if tail else ""

    def copy(self, lines: io.StringIO) -> None:
        lines.seek(0)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", lines)


ATTEMPT_COLUMNS = [
    "id",
    "public_id",
    "quiz_id",
    "revision_id",
    "candidate_name",
    "candidate_email",
    "state",
    "layout",
    "started_at",
    "submitted_at",
    "score",
    "max_score",
    "marks_total",
]


def seed_attempts(
    quiz: Quiz,
    *,
    attempts: int,
    batch: int = 2000,
    unanswered: float = 0.03,
    seed: int = 7,
    progress: Callable[[str], None] = print,
) -> SeedReport:
    """Add `attempts` submitted, graded attempts of `quiz` with their answers."""
    started = time.perf_counter()
    revision = current_revision(quiz)
    content = revision.content
    gradable = gradable_questions(content)
    per_question = [question_choices(question) for question in gradable]
    exacts = [c.exact for best, others in per_question for c in (best, *others)]
    lcd = math.lcm(*(fraction.denominator for fraction in exacts))
    max_score = sum((Decimal(q["points"]) for q in content["questions"]), Decimal(0))
    layout = draw_layout(content, shuffle_questions=False, shuffle_options=False)
    layout_json = json.dumps(layout)
    rng = random.Random(seed)
    now = timezone.now()
    use_copy = connection.vendor == "postgresql"
    attempt_table = CopyTable(Attempt, ATTEMPT_COLUMNS)
    answer_table = CopyTable(
        Answer, ["attempt_id", "question_id", "selected", "saved_at", "fraction", "points"]
    )
    # Per choice, the answer row's tail is the same text every time: format it once.
    cached = {
        id(choice): f"\t{json.dumps(list(choice.selected))}\t{{saved}}\t{choice.fraction}"
        f"\t{choice.points}{answer_table.tail}\n"
        for best, others in per_question
        for choice in (best, *others)
    }
    with transaction.atomic():
        first_id = (Attempt.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    total_answers = 0
    for offset in range(0, attempts, batch):
        size = min(batch, attempts - offset)
        attempt_lines, answer_lines = io.StringIO(), io.StringIO()
        attempt_objects, answer_objects = [], []
        for n in range(offset, offset + size):
            attempt_id = first_id + n
            ability = rng.random()
            started_at = now - timedelta(minutes=rng.randrange(60, 60 * 24 * 30))
            submitted_at = started_at + timedelta(seconds=rng.randrange(300, 2400))
            chosen = []
            for question, (best, others) in zip(content["questions"], per_question, strict=True):
                if rng.random() < unanswered:
                    continue
                chosen.append(
                    (question["id"], best if rng.random() < ability else rng.choice(others))
                )
            exact_total = sum(int(c.exact * lcd) for _, c in chosen)
            score = (Decimal(exact_total) / Decimal(lcd)).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP
            )
            values = {
                "id": attempt_id,
                "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "quiz_id": quiz.pk,
                "revision_id": revision.pk,
                "candidate_name": f"Candidate {attempt_id}",
                "candidate_email": f"candidate{attempt_id}@example.com",
                "state": Attempt.State.SUBMITTED,
                "started_at": started_at,
                "submitted_at": submitted_at,
                "score": score,
                "max_score": max_score,
                # What the site stores at submit: the answers' points added up.
                "marks_total": sum((c.points for _, c in chosen), Decimal(0)),
            }
            if use_copy:
                values["layout"] = layout_json
                attempt_lines.write(
                    "\t".join(_copy_text(values[name]) for name in ATTEMPT_COLUMNS)
                    + attempt_table.tail
                    + "\n"
                )
                prefix, saved = f"{attempt_id}\t", submitted_at.isoformat()
                for question_id, choice in chosen:
                    answer_lines.write(
                        prefix + str(question_id) + cached[id(choice)].replace("{saved}", saved)
                    )
            else:
                attempt_objects.append(Attempt(layout=layout, **values))
                answer_objects.extend(
                    Answer(
                        attempt_id=attempt_id,
                        question_id=question_id,
                        selected=list(choice.selected),
                        saved_at=submitted_at,
                        fraction=choice.fraction,
                        points=choice.points,
                    )
                    for question_id, choice in chosen
                )
            total_answers += len(chosen)
        with transaction.atomic():
            if use_copy:
                attempt_table.copy(attempt_lines)
                answer_table.copy(answer_lines)
            else:
                Attempt.objects.bulk_create(attempt_objects, batch_size=500)
                Answer.objects.bulk_create(answer_objects, batch_size=500)
        done = offset + size
        if done % (batch * 10) == 0 or done == attempts:
            elapsed = time.perf_counter() - started
            progress(f"  seeded {done:,}/{attempts:,} attempts ({elapsed:.1f} s)")
    if use_copy:
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Attempt]):
                cursor.execute(sql)
    return SeedReport(
        attempts=attempts,
        answers=total_answers,
        seconds=time.perf_counter() - started,
        method="COPY" if use_copy else "bulk_create",
    )
