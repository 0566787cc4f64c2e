"""Revisions: the immutable record of a quiz's published content that attempts point to."""

from __future__ import annotations

import random

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from quizzes.content import RevisionContent, content_hash
from quizzes.models import Question, Quiz, QuizRevision, Section
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
    structured = Section.objects.filter(quiz_id=OuterRef("quiz_id")).filter(
        Q(bank__isnull=False)
        | ~Q(title="")
        | Exists(Section.objects.filter(quiz_id=OuterRef("quiz_id")).exclude(pk=OuterRef("pk")))
    )
    questions = list(
        quiz.questions.filter(published=True)
        .annotate(structured=Exists(structured))
        .prefetch_related("options")
        .order_by("position", "id")
    )
    sections = [] if questions and not questions[0].structured else list(quiz.sections.all())
    if is_plain(sections):
        return _content(quiz, questions)
    plan = draw_sections(quiz, sections, rng=rng or random.SystemRandom())
    chosen = [question_id for _section, ids in plan for question_id in ids]
    by_id = Question.objects.prefetch_related("options").in_bulk(chosen)
    content = _content(quiz, [by_id[question_id] for question_id in chosen])
    content["sections"] = [{"title": section.title, "questions": ids} for section, ids in plan]
    return content


def is_plain(sections: list[Section]) -> bool:
    """No sections, or one untitled fixed section: the quiz as it was before sections."""
    return len(sections) == 0 or (
        len(sections) == 1 and not sections[0].is_drawn and not sections[0].title
    )


def _content(quiz: Quiz, questions: list[Question]) -> RevisionContent:
    return {
        "title": quiz.title,
        "description": quiz.description,
        "description_html": quiz.description_html,
        "questions": [
            {
                "id": question.id,
                "text": question.text,
                "kind": question.kind,
                "explanation": question.explanation,
                "text_html": question.text_html,
                "explanation_html": question.explanation_html,
                "points": str(question.points),
                "partial_fraction": str(question.partial_fraction),
                "strategy": question.grading_strategy or quiz.grading_strategy,
                "options": [
                    {
                        "id": option.id,
                        "text": option.text,
                        "verdict": option.verdict,
                        "feedback": option.feedback,
                        "text_html": option.text_html,
                        "feedback_html": option.feedback_html,
                    }
                    for option in question.options.all()
                ],
            }
            for question in questions
        ],
    }


def current_revision(quiz: Quiz, *, rng: random.Random | None = None) -> QuizRevision:
    """The revision matching the quiz's current content (and this draw), created on first use."""
    content = build_revision_content(quiz, rng=rng)
    digest = content_hash(content)
    revision = QuizRevision.objects.filter(quiz=quiz, content_hash=digest).first()
    if revision is not None:
        return revision
    try:
        with transaction.atomic():
            return QuizRevision.objects.create(quiz=quiz, content=content, content_hash=digest)
    except IntegrityError:
        # Another candidate started the same new content at the same moment.
        return QuizRevision.objects.get(quiz=quiz, content_hash=digest)


def revision_for_content(quiz_id: int, content: RevisionContent) -> QuizRevision:
    """The revision holding exactly this content, created if none does (regrades)."""
    revision, _ = QuizRevision.objects.get_or_create(
        quiz_id=quiz_id, content_hash=content_hash(content), defaults={"content": content}
    )
    return revision
