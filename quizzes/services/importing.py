"""Importing: creating or updating a quiz in place from a parsed question file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from slugify import slugify

from quizzes.formats import ParsedOption, ParsedQuestion, ParsedQuiz
from quizzes.models import (
    Option,
    Question,
    QuestionBank,
    Quiz,
    Section,
    Tag,
    quiz_size_errors,
    render_html,
    unclosed_fence_message,
)
from quizzes.positions import renumber
from quizzes.rendering import rendering_problems
from quizzes.selectors.authoring import quiz_settings_values
from quizzes.text import normalized_quiz


@dataclass
class ImportSummary:
    quiz: Quiz
    created: bool
    questions_created: int = 0
    questions_updated: int = 0
    questions_deleted: int = 0
    changes: list[str] = field(default_factory=list)
    settings_changed: bool = False

    @property
    def changed(self) -> bool:
        return self.created or bool(
            self.settings_changed
            or self.questions_created
            or self.questions_updated
            or self.questions_deleted
        )


@dataclass
class BankImportSummary:
    bank: QuestionBank
    created: bool
    questions_created: int = 0
    questions_updated: int = 0
    questions_deleted: int = 0
    changes: list[str] = field(default_factory=list)


@dataclass
class _ImportWrites:
    """Rows an import changes, written together at the end.

    Collected and written in bulk: a constant number of queries however many questions the
    file has (one row at a time capped a corpus import at a few hundred questions/s).
    """

    questions: list[Question] = field(default_factory=list)
    new_questions: list[tuple[Question, Sequence[ParsedOption]]] = field(default_factory=list)
    stale_questions: list[int] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    new_options: list[Option] = field(default_factory=list)
    stale_options: list[int] = field(default_factory=list)


class ImportRefused(ValueError):
    """The quiz is beyond QUIZ_MAX_QUESTIONS or QUESTION_MAX_OPTIONS, or a text of it would
    cost too much to render; nothing was written."""


def import_errors(parsed: ParsedQuiz) -> list[str]:
    """Why the parsed quiz cannot be imported (too large, or texts the renderer refuses);
    [] if it can."""
    sizes = quiz_size_errors([len(question.options) for question in parsed.questions])
    return sizes + text_problems(parsed)[0]


def text_problems(parsed: ParsedQuiz) -> tuple[list[str], list[str]]:
    """Errors (texts refused: too costly to render, or a code block left open) and warnings
    (formulas kept as source), each naming where: the question, the field and the line."""
    errors: list[str] = []
    warnings: list[str] = []
    for place, text, inline in _texts(parsed):
        refused, noted = rendering_problems(text, inline=inline)
        if message := unclosed_fence_message(text):
            refused = [*refused, message]
        errors += [_("%(place)s: %(problem)s") % {"place": place, "problem": p} for p in refused]
        warnings += [_("%(place)s: %(problem)s") % {"place": place, "problem": p} for p in noted]
    return errors, warnings


def _texts(parsed: ParsedQuiz) -> Iterator[tuple[str, str, bool]]:
    yield _("Description"), parsed.description, False
    for number, question in enumerate(parsed.questions, start=1):
        where = {"number": number}
        yield _("Question %(number)s, text") % where, question.text, False
        yield _("Question %(number)s, explanation") % where, question.explanation, False
        for index, option in enumerate(question.options, start=1):
            where = {"number": number, "option": index}
            yield _("Question %(number)s, option %(option)s") % where, option.text, True
            yield (
                _("Question %(number)s, feedback of option %(option)s") % where,
                option.feedback,
                False,
            )


def quiz_slug(title: str) -> str:
    return slugify(title, max_length=200, word_boundary=True) or "quiz"


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


@transaction.atomic
def import_quiz(
    *, parsed: ParsedQuiz, slug: str | None = None, publish: bool = True
) -> ImportSummary:
    """Create or update a quiz from parsed content, in place and idempotently.

    Questions and options are matched by position, so their ids (which attempts and
    regrades refer to) survive a re-import. Rows are written only when something
    differs: importing the same file twice changes nothing. Attempts are never deleted;
    they keep their own revision of the content. A quiz too large to be answered on one
    page, or with a text the renderer refuses, raises ImportRefused before anything is
    written. Texts are stored in the shape the admin stores them in (quizzes.text).
    """
    parsed = normalized_quiz(parsed)
    if parsed.bank:
        raise ImportRefused(str(_("This file is a question bank, not a quiz.")))
    if errors := import_errors(parsed):
        raise ImportRefused(" ".join(errors))
    slug = slug or quiz_slug(parsed.title)
    quiz = Quiz.objects.filter(slug=slug).first()
    created = quiz is None
    # A file without a settings line leaves them alone: the defaults for a new quiz, the
    # quiz's own on a re-import.
    settings = quiz_settings_values(parsed.settings)
    settings_changed = False
    if quiz is None:
        quiz = Quiz.objects.create(
            slug=slug,
            title=parsed.title,
            description=parsed.description,
            published=publish,
            **settings,
        )
    else:
        settings_changed = _assign(quiz, settings)
        texts_changed = _assign(quiz, {"title": parsed.title, "description": parsed.description})
        if settings_changed or texts_changed:
            quiz.save()
    summary = ImportSummary(quiz=quiz, created=created, settings_changed=settings_changed)
    writes = _plan_questions(quiz, parsed.questions, summary)
    _write(writes)
    summary.questions_created = len(writes.new_questions)
    summary.questions_deleted = len(writes.stale_questions)
    if _import_structure(quiz, parsed, created=created):
        summary.changes.append("sections, tags or retired questions updated")
    return summary


@transaction.atomic
def import_bank(*, parsed: ParsedQuiz, slug: str | None = None) -> BankImportSummary:
    """Create or update a question bank's own questions from a bank file, as import_quiz
    does a quiz's: matched by position, written only where something differs, tags and
    retirement included. Questions that quizzes present as fixed are not the bank file's.
    """
    parsed = normalized_quiz(parsed)
    if not parsed.bank:
        raise ImportRefused(str(_("This file is a quiz, not a question bank.")))
    if errors := import_errors(parsed):
        raise ImportRefused(" ".join(errors))
    slug = slug or quiz_slug(parsed.title)
    bank, created = QuestionBank.objects.get_or_create(slug=slug, defaults={"title": parsed.title})
    if not created and bank.title != parsed.title:
        bank.title = parsed.title
        bank.save(update_fields=["title"])
    summary = BankImportSummary(bank=bank, created=created)
    writes = _plan_questions(None, parsed.questions, summary, bank=bank)
    _write(writes)
    summary.questions_created = len(writes.new_questions)
    summary.questions_deleted = len(writes.stale_questions)
    questions = list(bank_questions(bank).prefetch_related("tags").order_by("position", "id"))
    for question, pq in zip(questions, parsed.questions, strict=True):
        if question.retired != pq.retired:
            question.retired = pq.retired
            question.save(update_fields=["retired"])
        if sorted(tag.name for tag in question.tags.all()) != pq.tags:
            question.tags.set([Tag.objects.get_or_create(bank=bank, name=n)[0] for n in pq.tags])
    return summary


def bank_questions(bank: QuestionBank | None):
    """A bank's own questions: those in no quiz (a quiz's fixed questions travel with it)."""
    return Question.objects.filter(bank=bank, quiz__isnull=True)


def _bank(slug: str, title: str) -> QuestionBank:
    return QuestionBank.objects.get_or_create(slug=slug, defaults={"title": title})[0]


def _import_structure(quiz: Quiz, parsed: ParsedQuiz, *, created: bool) -> bool:
    """Give the quiz the file's sections, and its questions their sections, tags and
    retirement; True when anything changed.

    A drawn section names its bank by slug: a bank not there yet is created, empty, for
    the author to fill. Tags of the quiz's own questions live in their bank: the quiz's
    bank (slug of the quiz) for a question in none yet. A file with none of this on a new
    quiz costs no query.
    """
    plain = not parsed.sections and not any(
        q.section or q.tags or q.retired for q in parsed.questions
    )
    if plain and created:
        return False
    sections = list(quiz.sections.order_by("order", "id"))
    questions = list(quiz.questions.prefetch_related("tags").order_by("position", "id"))
    if (
        plain
        and not sections
        and not any(q.section_id or q.retired or q.tags.all() for q in questions)
    ):
        return False
    changed = False
    for index, item in enumerate(parsed.sections):
        bank = _bank(item.bank, item.bank) if item.bank else None
        tag = Tag.objects.get_or_create(bank=bank, name=item.tag)[0] if bank and item.tag else None
        values = {"order": index, "title": item.title, "bank": bank, "tag": tag}
        values["draw_count"] = item.draw
        if index < len(sections):
            if _assign(sections[index], values):
                sections[index].save()
                changed = True
        else:
            sections.append(Section.objects.create(quiz=quiz, **values))
            changed = True
    if len(sections) > len(parsed.sections):
        Section.objects.filter(pk__in=[s.pk for s in sections[len(parsed.sections) :]]).delete()
        changed = True
    own_bank = None
    for question, pq in zip(questions, parsed.questions, strict=True):
        section = sections[pq.section - 1] if pq.section else None
        values = {"section_id": section.pk if section else None, "retired": pq.retired}
        if pq.tags and question.bank_id is None:
            own_bank = own_bank or _bank(quiz.slug, quiz.title)
            values["bank_id"] = own_bank.pk
        if _assign(question, values):
            question.save(update_fields=list(values))
            changed = True
        if sorted(tag.name for tag in question.tags.all()) != pq.tags:
            tags = [Tag.objects.get_or_create(bank_id=question.bank_id, name=n)[0] for n in pq.tags]
            question.tags.set(tags)
            changed = True
    return changed


def _plan_questions(
    quiz: Quiz | None,
    parsed_questions: Sequence[ParsedQuestion],
    summary: ImportSummary | BankImportSummary,
    *,
    bank: QuestionBank | None = None,
) -> _ImportWrites:
    """Match the file's questions to the quiz's (or the bank's own) by position; record
    what differs."""
    owned = quiz.questions.all() if quiz is not None else bank_questions(bank)
    existing = list(owned.prefetch_related("options").order_by("position", "id"))
    renumber(existing, Question)
    writes = _ImportWrites()
    for index, parsed_question in enumerate(parsed_questions):
        values = {
            "position": index + 1,
            "text": parsed_question.text,
            "kind": parsed_question.kind,
            "explanation": parsed_question.explanation,
            "published": parsed_question.published,
        }
        if index >= len(existing):
            # Positions after the existing (renumbered 1..n) ones: free, so no parking.
            new = Question(quiz=quiz, bank=bank, **values)
            writes.new_questions.append((new, parsed_question.options))
            continue
        question = existing[index]
        question_changed = _assign(question, values)
        if question_changed:
            writes.questions.append(question)
        options_changed = _plan_options(
            question, list(question.options.all()), parsed_question.options, writes
        )
        if question_changed or options_changed:
            summary.questions_updated += 1
            summary.changes.append(f"question {index + 1} updated")
    writes.stale_questions = [question.pk for question in existing[len(parsed_questions) :]]
    return writes


def _plan_options(
    question: Question,
    existing: list[Option],
    parsed_options: Sequence[ParsedOption],
    writes: _ImportWrites,
) -> bool:
    """Match a question's options by position; record what differs. True if anything does."""
    changed = False
    renumber(existing, Option)
    for index, parsed_option in enumerate(parsed_options):
        values = {
            "position": index + 1,
            "text": parsed_option.text,
            "verdict": parsed_option.verdict,
            "feedback": parsed_option.feedback,
        }
        if index < len(existing):
            if _assign(existing[index], values):
                writes.options.append(existing[index])
                changed = True
        else:
            # Positions after the existing (renumbered 1..m) options are free.
            writes.new_options.append(Option(question=question, **values))
            changed = True
    stale = existing[len(parsed_options) :]
    if stale:
        writes.stale_options.extend(option.pk for option in stale)
        changed = True
    return changed


def _write(writes: _ImportWrites) -> None:
    # Bulk writes skip save(), which renders the stored HTML.
    for question in [*writes.questions, *(new for new, _options in writes.new_questions)]:
        render_html(question)
    if writes.questions:
        # Matched rows keep their renumbered position, so it needs no write.
        Question.objects.bulk_update(
            writes.questions,
            ["text", "kind", "explanation", "published", "text_html", "explanation_html"],
            batch_size=500,
        )
    if writes.new_questions:
        # bulk_create sets the primary keys on PostgreSQL and SQLite >= 3.35.
        Question.objects.bulk_create([q for q, _ in writes.new_questions], batch_size=500)
        for question, parsed_options in writes.new_questions:
            _plan_options(question, [], parsed_options, writes)
    if writes.stale_options:
        Option.objects.filter(pk__in=writes.stale_options).delete()
    for option in [*writes.options, *writes.new_options]:
        render_html(option)
    if writes.options:
        Option.objects.bulk_update(
            writes.options,
            ["text", "verdict", "feedback", "text_html", "feedback_html"],
            batch_size=500,
        )
    if writes.new_options:
        Option.objects.bulk_create(writes.new_options, batch_size=1000)
    if writes.stale_questions:
        Question.objects.filter(pk__in=writes.stale_questions).delete()
