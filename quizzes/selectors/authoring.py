"""Authoring reads: a quiz as the file formats see it, and what importing a file would change."""

from __future__ import annotations

from dataclasses import dataclass, field

from quizzes import formats
from quizzes.models import Question, Quiz


def parsed_quiz(quiz: Quiz) -> formats.ParsedQuiz:
    """The quiz as the format package sees it (drafts included), ready for formats.write."""
    questions = quiz.questions.prefetch_related("options").order_by("position", "id")
    return formats.ParsedQuiz(
        title=quiz.title,
        description=quiz.description,
        questions=[
            _parsed_question(question, number) for number, question in enumerate(questions, 1)
        ],
    )


def _parsed_question(question: Question, number: int) -> formats.ParsedQuestion:
    return formats.ParsedQuestion(
        text=question.text,
        kind=question.kind,
        options=[
            formats.ParsedOption(text=option.text, verdict=option.verdict, feedback=option.feedback)
            for option in question.options.all()
        ],
        explanation=question.explanation,
        number=number,
        published=question.published,
    )


def _shape(question: formats.ParsedQuestion) -> tuple[object, ...]:
    """What services.importing compares to decide whether a question changes."""
    return (
        question.text,
        question.kind,
        question.explanation,
        question.published,
        [(option.text, option.verdict, option.feedback) for option in question.options],
    )


@dataclass
class PlannedQuestion:
    number: int
    question: formats.ParsedQuestion
    # "new", "changed" or "unchanged" compared with the question at the same position.
    status: str


@dataclass
class ImportPlan:
    """What importing a parsed file into `slug` would do; nothing is written to find out."""

    slug: str
    existing: Quiz | None
    questions: list[PlannedQuestion] = field(default_factory=list)
    removed: list[Question] = field(default_factory=list)

    @property
    def creates_quiz(self) -> bool:
        return self.existing is None

    def count(self, status: str) -> int:
        return sum(planned.status == status for planned in self.questions)

    @property
    def added(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def import_plan(parsed: formats.ParsedQuiz, slug: str) -> ImportPlan:
    """Compare a parsed file with the quiz at `slug`, question by position, like the import."""
    existing = Quiz.objects.filter(slug=slug).first()
    plan = ImportPlan(slug=slug, existing=existing)
    current: list[Question] = []
    if existing is not None:
        current = list(existing.questions.prefetch_related("options").order_by("position", "id"))
    shapes = [_shape(_parsed_question(question, 0)) for question in current]
    for index, question in enumerate(parsed.questions):
        if index >= len(current):
            status = "new"
        elif _shape(question) == shapes[index]:
            status = "unchanged"
        else:
            status = "changed"
        plan.questions.append(PlannedQuestion(number=index + 1, question=question, status=status))
    plan.removed = current[len(parsed.questions) :]
    return plan
