"""Revisions: the immutable record of a quiz's published content that attempts point to."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from quizzes.content import RevisionContent, content_hash
from quizzes.models import Quiz, QuizRevision


def build_revision_content(quiz: Quiz) -> RevisionContent:
    """The quiz's published content as plain JSON, in authoring order."""
    questions = (
        quiz.questions.filter(published=True).prefetch_related("options").order_by("position", "id")
    )
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


def current_revision(quiz: Quiz) -> QuizRevision:
    """The revision matching the quiz's current content, created on first use."""
    content = build_revision_content(quiz)
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
