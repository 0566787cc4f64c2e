"""Exposure: which questions candidates saw, and how they did on each, across every draw.

Item analysis (selectors.statistics) compares attempts that saw the same questions. With
draws, each question is seen by a part of the candidates; these figures count, for every
question, exactly the attempts whose revision presented it (their n), and per section the
attempts of every revision that had it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from quizzes.content import RevisionContent, section_groups
from quizzes.models import Answer, Attempt, QuestionBank, Quiz, QuizRevision
from quizzes.selectors.review import FINISHED


@dataclass
class QuestionExposure:
    question_id: int
    text: str  # as the newest revision that presented it words it
    seen: int = 0  # attempts that were shown the question, finished or not
    n: int = 0  # finished attempts that were shown it: the figures below are over these
    marks: Decimal = Decimal(0)  # points earned (overrides included)
    max_marks: Decimal = Decimal(0)  # points that could be earned

    @property
    def facility(self) -> float | None:
        """Mean mark over the maximum, 0..1; None before any finished attempt saw it."""
        return float(self.marks / self.max_marks) if self.max_marks else None


@dataclass
class SectionSummary:
    title: str
    n: int = 0  # finished attempts that had the section
    marks: Decimal = Decimal(0)
    max_marks: Decimal = Decimal(0)
    question_ids: set[int] = field(default_factory=set)  # every question it presented

    @property
    def mean(self) -> Decimal | None:
        return self.marks / self.n if self.n else None

    @property
    def mean_max(self) -> Decimal | None:
        return self.max_marks / self.n if self.n else None

    @property
    def facility(self) -> float | None:
        return float(self.marks / self.max_marks) if self.max_marks else None


@dataclass
class ExposureReport:
    questions: list[QuestionExposure]  # most seen first
    sections: list[SectionSummary]  # in the order of the newest revision that had them


def exposure_report(quizzes: list[Quiz], *, question_ids: set[int] | None = None) -> ExposureReport:
    """The exposure of the quizzes' questions (only `question_ids`, when given); 3 queries.

    Sections are told apart by title (an untitled one by its place): a quiz that renames
    a section starts a new line for it.
    """
    quiz_ids = [quiz.pk for quiz in quizzes]
    revisions: dict[int, RevisionContent] = dict(
        QuizRevision.objects.filter(quiz_id__in=quiz_ids)
        .order_by("-created_at", "-id")
        .values_list("id", "content")
    )
    seen: dict[int, int] = defaultdict(int)
    finished: dict[int, int] = defaultdict(int)
    for revision_id, state, count in (
        Attempt.objects.filter(quiz_id__in=quiz_ids)
        .values("revision_id", "state")
        .annotate(n=Count("id"))
        .values_list("revision_id", "state", "n")
    ):
        seen[revision_id] += count
        if state in FINISHED:
            finished[revision_id] += count
    marks: dict[tuple[int, int], Decimal] = {
        (revision_id, question_id): total
        for revision_id, question_id, total in Answer.objects.filter(
            attempt__quiz_id__in=quiz_ids, attempt__state__in=FINISHED
        )
        .values("attempt__revision_id", "question_id")
        .annotate(total=Sum(Coalesce("override_points", "points")))
        .values_list("attempt__revision_id", "question_id", "total")
    }
    questions: dict[int, QuestionExposure] = {}
    sections: dict[str, SectionSummary] = {}
    for revision_id, content in revisions.items():  # newest first
        points = {q["id"]: Decimal(q["points"]) for q in content["questions"]}
        texts = {q["id"]: q["text"] for q in content["questions"]}
        n = finished.get(revision_id, 0)
        for place, (title, ids) in enumerate(section_groups(content), start=1):
            summary = sections.setdefault(title or f"#{place}", SectionSummary(title=title))
            if n:
                summary.n += n
                summary.max_marks += n * sum((points[i] for i in ids), Decimal(0))
                summary.marks += sum(
                    (marks.get((revision_id, i)) or Decimal(0) for i in ids), Decimal(0)
                )
            summary.question_ids.update(ids)
        for question_id in points:
            if question_ids is not None and question_id not in question_ids:
                continue
            item = questions.setdefault(
                question_id, QuestionExposure(question_id=question_id, text=texts[question_id])
            )
            item.seen += seen.get(revision_id, 0)
            item.n += n
            item.max_marks += n * points[question_id]
            item.marks += marks.get((revision_id, question_id)) or Decimal(0)
    ordered = sorted(questions.values(), key=lambda item: (-item.seen, item.question_id))
    return ExposureReport(questions=ordered, sections=list(sections.values()))


def bank_exposure(bank: QuestionBank) -> ExposureReport:
    """The exposure of the bank's questions in every quiz that presents or draws them."""
    quizzes = Quiz.objects.filter(Q(sections__bank=bank) | Q(questions__bank=bank)).distinct()
    question_ids = set(bank.questions.values_list("id", flat=True))
    return exposure_report(list(quizzes), question_ids=question_ids)
