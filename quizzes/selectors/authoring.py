"""Authoring reads: a quiz as the file formats see it, and what importing a file would change."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext

from quizzes import formats
from quizzes.diffing import QuestionChanges, question_changes
from quizzes.models import Question, QuestionBank, Quiz
from quizzes.text import normalize_markdown, normalized_quiz

# The quiz fields a file's settings line carries (formats.QuizSettings), in the order shown.
SETTING_FIELDS = ("practice", "access", "review_after_attempt", "review_after_close", "time_limit")
_PRACTICE_VALUES = {
    "access": Quiz.Access.PUBLIC,
    "review_after_attempt": Quiz.ReviewPolicy.FULL,
    "review_after_close": Quiz.ReviewPolicy.FULL,
}


def parsed_quiz(quiz: Quiz) -> formats.ParsedQuiz:
    """The quiz as the format package sees it (drafts included), ready for formats.write.

    Texts come in their stored shape (quizzes.text) even if a row was written before every
    way in normalised them: what the admin accepted, export writes.
    """
    questions = quiz.questions.prefetch_related("options", "tags").order_by("position", "id")
    sections = list(quiz.sections.select_related("bank", "tag").order_by("order", "id"))
    # Questions name the fixed section they are in by its place among all sections.
    places = {section.pk: n for n, section in enumerate(sections, 1) if not section.is_drawn}
    parsed = [_parsed_question(question, number) for number, question in enumerate(questions, 1)]
    for question, item in zip(questions, parsed, strict=True):
        item.section = places.get(question.section_id) if question.section_id else None
        item.tags = sorted({tag.name for tag in question.tags.all()})
        item.retired = question.retired
    return formats.ParsedQuiz(
        title=quiz.title,
        description=normalize_markdown(quiz.description),
        questions=parsed,
        settings=_quiz_settings(quiz),
        sections=[
            formats.ParsedSection(
                title=section.title,
                draw=section.draw_count,
                bank=section.bank.slug if section.bank else "",
                tag=section.tag.name if section.tag else "",
            )
            for section in sections
        ],
    )


def parsed_bank(bank: QuestionBank) -> formats.ParsedQuiz:
    """A bank's own questions (those in no quiz) as a question bank file, with their tags."""
    questions = list(
        Question.objects.filter(bank=bank, quiz__isnull=True)
        .prefetch_related("options", "tags")
        .order_by("position", "id")
    )
    parsed = [_parsed_question(question, number) for number, question in enumerate(questions, 1)]
    for question, item in zip(questions, parsed, strict=True):
        item.tags = sorted({tag.name for tag in question.tags.all()})
        item.retired = question.retired
    return formats.ParsedQuiz(title=bank.title, questions=parsed, bank=True)


def _quiz_settings(quiz: Quiz) -> formats.QuizSettings:
    """The quiz's settings as a file states them; a practice quiz's follow from `practice`."""
    time_limit = round(quiz.time_limit.total_seconds()) if quiz.time_limit else 0
    if quiz.practice:
        return formats.QuizSettings(practice=True, time_limit=time_limit)
    return formats.QuizSettings(
        access=quiz.access,
        review_after_attempt=quiz.review_after_attempt,
        review_after_close=quiz.review_after_close,
        time_limit=time_limit,
    )


def quiz_settings_values(settings: formats.QuizSettings | None) -> dict[str, Any]:
    """The Quiz fields a file's settings set; none when the file has no settings line."""
    if settings is None:
        return {}
    values: dict[str, Any] = {"practice": settings.practice}
    for name in ("access", "review_after_attempt", "review_after_close"):
        if getattr(settings, name) is not None:
            values[name] = getattr(settings, name)
    if settings.time_limit is not None:
        values["time_limit"] = timedelta(seconds=settings.time_limit) or None
    if settings.practice:
        values.update(_PRACTICE_VALUES)
    return values


def _parsed_question(question: Question, number: int) -> formats.ParsedQuestion:
    return formats.ParsedQuestion(
        text=normalize_markdown(question.text),
        kind=question.kind,
        options=[
            formats.ParsedOption(
                text=normalize_markdown(option.text),
                verdict=option.verdict,
                feedback=normalize_markdown(option.feedback),
            )
            for option in question.options.all()
        ],
        explanation=normalize_markdown(question.explanation),
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
    # For a changed question: what changed, field by field and option by option.
    changes: QuestionChanges | None = None


@dataclass
class PlannedSetting:
    label: str
    value: str
    # What it is now, when the import changes an existing quiz's setting.
    before: str | None = None


@dataclass
class ImportPlan:
    """What importing a parsed file into `slug` would do; nothing is written to find out."""

    slug: str
    existing: Quiz | None
    questions: list[PlannedQuestion] = field(default_factory=list)
    removed: list[Question] = field(default_factory=list)
    # Whether the file has a settings line; without one an existing quiz keeps its settings.
    states_settings: bool = False
    # A new quiz: all its settings. An existing one: those the import changes.
    settings: list[PlannedSetting] = field(default_factory=list)

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
    parsed = normalized_quiz(parsed)
    existing = Quiz.objects.filter(slug=slug).first()
    plan = ImportPlan(slug=slug, existing=existing)
    current: list[Question] = []
    if existing is not None:
        current = list(existing.questions.prefetch_related("options").order_by("position", "id"))
    stored = [_parsed_question(question, 0) for question in current]
    for index, question in enumerate(parsed.questions):
        planned = PlannedQuestion(number=index + 1, question=question, status="new")
        if index < len(stored):
            changed = _shape(question) != _shape(stored[index])
            planned.status = "changed" if changed else "unchanged"
            planned.changes = question_changes(stored[index], question) if changed else None
        plan.questions.append(planned)
    plan.removed = current[len(parsed.questions) :]
    plan.states_settings = parsed.settings is not None
    plan.settings = _planned_settings(existing, quiz_settings_values(parsed.settings))
    return plan


def _planned_settings(existing: Quiz | None, values: dict[str, Any]) -> list[PlannedSetting]:
    after = copy.copy(existing) if existing is not None else Quiz()
    for name, value in values.items():
        setattr(after, name, value)
    planned = []
    for name in SETTING_FIELDS:
        value = _setting_display(after, name)
        before = _setting_display(existing, name) if existing is not None else None
        if before != value:
            model_field = Quiz._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            label = str(model_field.verbose_name)
            planned.append(PlannedSetting(label=label, value=value, before=before))
    return planned


def _setting_display(quiz: Quiz, name: str) -> str:
    if name == "practice":
        return gettext("yes") if quiz.practice else gettext("no")
    if name == "time_limit":
        if not quiz.time_limit:
            return gettext("none")
        minutes, seconds = divmod(round(quiz.time_limit.total_seconds()), 60)
        return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
    return str(getattr(quiz, f"get_{name}_display")())
