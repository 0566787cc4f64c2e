"""Revisions: the immutable record of a quiz's published content that attempts point to."""

from __future__ import annotations

import random

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from quizzes.content import OptionContent, RevisionContent, content_hash
from quizzes.models import Option, Question, Quiz, QuizRevision, Section
from quizzes.selectors.banks import draw_sections


def build_revision_content(quiz: Quiz, *, rng: random.Random | None = None) -> RevisionContent:
    """The quiz's published content as plain JSON, its draws made now with `rng`.

    A quiz without sections, or with one untitled fixed section, presents its published
    questions in authoring order, exactly as before sections existed (so its revisions keep
    their hashes). Otherwise the content also lists its sections with the question ids each
    presents; a drawn section's questions are this draw's, in the bank's order, so that
    candidates who draw the same questions share one revision.
    """
    # The quiz's own questions come with whether it has sections to draw or to show, so a
    # quiz made of one plain fixed section costs no more queries than before sections.
    rows = list(
        Question.objects.filter(quiz_id=quiz.pk, published=True)
        .annotate(structured=_has_structure(quiz.pk))
        .order_by("position", "id")
        .values_list(*_QUESTION_FIELDS, "structured")
    )
    sections = [] if rows and not rows[0][-1] else list(quiz.sections.all())
    if is_plain(sections):
        return _content(quiz, [row[:-1] for row in rows])
    plan = draw_sections(quiz, sections, rng=rng or random.SystemRandom())
    chosen = [question_id for _section, ids in plan for question_id in ids]
    by_id = {
        row[0]: row for row in Question.objects.filter(pk__in=chosen).values_list(*_QUESTION_FIELDS)
    }
    content = _content(quiz, [by_id[question_id] for question_id in chosen])
    content["sections"] = [{"title": section.title, "questions": ids} for section, ids in plan]
    return content


def _has_structure(quiz_id: int) -> RawSQL:
    """Whether the quiz has a drawn or a titled section, or more than one: not `is_plain`."""
    # Written out in SQL: the same test in ORM subqueries costs a start more CPU to compile
    # than the rest of its query takes to run.
    section = connection.ops.quote_name(Section._meta.db_table)
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {section} s WHERE s.quiz_id = %s AND (s.bank_id IS NOT NULL"
        f" OR s.title <> %s OR EXISTS (SELECT 1 FROM {section} o"
        " WHERE o.quiz_id = s.quiz_id AND o.id <> s.id)))",
        (quiz_id, ""),
        output_field=BooleanField(),
    )


def is_plain(sections: list[Section]) -> bool:
    """No sections, or one untitled fixed section: the quiz as it was before sections."""
    return len(sections) == 0 or (
        len(sections) == 1 and not sections[0].is_drawn and not sections[0].title
    )


# Read as plain rows, not model instances: a start builds the content of every question and
# option of the quiz, and instances cost several times the rows' own CPU.
_QUESTION_FIELDS = (
    "id",
    "text",
    "kind",
    "explanation",
    "text_html",
    "explanation_html",
    "points",
    "partial_fraction",
    "grading_strategy",
)
_OPTION_FIELDS = ("question_id", "id", "text", "verdict", "feedback", "text_html", "feedback_html")


def _content(quiz: Quiz, questions: list[tuple]) -> RevisionContent:
    """The content of `questions` (rows of _QUESTION_FIELDS, in presented order)."""
    options: dict[int, list[OptionContent]] = {row[0]: [] for row in questions}
    if options:
        rows = _option_rows(list(options))
        for question_id, option_id, text, verdict, feedback, text_html, feedback_html in rows:
            options[question_id].append(
                {
                    "id": option_id,
                    "text": text,
                    "verdict": verdict,
                    "feedback": feedback,
                    "text_html": text_html,
                    "feedback_html": feedback_html,
                }
            )
    return {
        "title": quiz.title,
        "description": quiz.description,
        "description_html": quiz.description_html,
        "questions": [
            {
                "id": question_id,
                "text": text,
                "kind": kind,
                "explanation": explanation,
                "text_html": text_html,
                "explanation_html": explanation_html,
                "points": str(points),
                "partial_fraction": str(partial_fraction),
                "strategy": strategy or quiz.grading_strategy,
                "options": options[question_id],
            }
            for (
                question_id,
                text,
                kind,
                explanation,
                text_html,
                explanation_html,
                points,
                partial_fraction,
                strategy,
            ) in questions
        ],
    }


def _option_rows(question_ids: list[int]) -> list[tuple]:
    """The questions' options as rows of _OPTION_FIELDS, each question's in Option's own
    order (position, id), as `question.options` lists them."""
    # Plain SQL: the ORM prepares each id of the list through several layers of lookups,
    # which cost a start more CPU than reading the rows. The columns (named as the fields)
    # are integers and text, which every backend returns as the ORM would.
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _OPTION_FIELDS)
    question, position, pk = (quote(name) for name in ("question_id", "position", "id"))
    placeholders = ", ".join(["%s"] * len(question_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(Option._meta.db_table)}"
            f" WHERE {question} IN ({placeholders}) ORDER BY {question}, {position}, {pk}",
            question_ids,
        )
        return cursor.fetchall()


def current_revision(quiz: Quiz, *, rng: random.Random | None = None) -> QuizRevision:
    """The revision matching the quiz's current content (and this draw), created on first use.

    An existing revision comes without its content, read from the database on first use.
    """
    return current_revision_and_content(quiz, rng=rng)[0]


def current_revision_and_content(
    quiz: Quiz, *, rng: random.Random | None = None
) -> tuple[QuizRevision, RevisionContent]:
    """The current revision (as `current_revision`) and the content just built for it.

    The built content has the revision's hash, so its questions, options, points and
    sections are the revision's; only its HTML may differ from what the revision stored
    (HTML is outside the hash and a revision keeps the HTML it recorded). Read the stored
    content, through `revision.content`, for anything a candidate is shown.
    """
    content = build_revision_content(quiz, rng=rng)
    digest = content_hash(content)
    # The stored content (tens of kilobytes of JSON) is what was just built, HTML aside:
    # decoding it again would cost a start more than building it.
    existing = QuizRevision.objects.filter(quiz_id=quiz.pk, content_hash=digest).defer("content")
    # At most one row (unique quiz and hash): no ordering, no limit to compile.
    revision = next(iter(existing), None)
    if revision is not None:
        return revision, content
    try:
        with transaction.atomic():
            revision = QuizRevision.objects.create(quiz=quiz, content=content, content_hash=digest)
    except IntegrityError:
        # Another candidate started the same new content at the same moment.
        revision = existing.get()
    return revision, content


def revision_for_content(quiz_id: int, content: RevisionContent) -> QuizRevision:
    """The revision holding exactly this content, created if none does (regrades)."""
    revision, _ = QuizRevision.objects.get_or_create(
        quiz_id=quiz_id, content_hash=content_hash(content), defaults={"content": content}
    )
    return revision
