"""Candidate reads: public quizzes, invites, and the questions an attempt presents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from quizzes import content
from quizzes.models import INVITE_TOKEN_SHAPE, Attempt, Invite, Quiz


def public_quizzes(*, open_at: datetime | None = None) -> QuerySet[Quiz]:
    """Published public quizzes; with `open_at`, only those not closed at that moment."""
    quizzes = Quiz.objects.filter(published=True, access=Quiz.Access.PUBLIC)
    if open_at is not None:
        quizzes = quizzes.exclude(closes_at__lte=open_at)
    return quizzes.annotate(
        question_count=Count("questions", filter=Q(questions__published=True))
    ).order_by("title")


def presented_questions(attempt: Attempt) -> list[content.PresentedQuestion]:
    """The attempt's questions from its revision, in the order drawn for it, numbered."""
    return content.presented_questions(attempt.revision.content, attempt.layout)


def invite_by_token(token: str) -> Invite | None:
    """The invite of a published quiz with this token, or None."""
    if not INVITE_TOKEN_SHAPE.fullmatch(token):
        # Never a token (a NUL byte would even make PostgreSQL refuse the query).
        return None
    return Invite.objects.select_related("quiz").filter(token=token, quiz__published=True).first()


def invite_by_id(invite_id: int | None) -> Invite | None:
    if invite_id is None:
        return None
    return Invite.objects.select_related("quiz").filter(pk=invite_id, quiz__published=True).first()


def open_attempt_for_invite(invite: Invite) -> Attempt | None:
    return invite.attempts.filter(state=Attempt.State.IN_PROGRESS).first()


def resumable_attempt(
    invite: Invite, *, public_ids: Iterable[str], browser: str = ""
) -> Attempt | None:
    """The open attempt the invite link leads this browser back to, or None.

    A personal invite's attempt resumes on any device (the link is the candidate's own);
    a shared invite's only in the browser that started it: one its session remembers
    (`public_ids`) or one started under its id cookie (`browser`, the hash).
    """
    attempts = invite.attempts.filter(state=Attempt.State.IN_PROGRESS)
    if not invite.is_personal:
        mine = Q(public_id__in=list(public_ids))
        if browser:
            mine |= Q(browser=browser)
        attempts = attempts.filter(mine)
    return attempts.order_by("-started_at", "-pk").first()


def attempts_of_invite(invite: Invite, *, public_ids: Iterable[str]) -> QuerySet[Attempt]:
    """The invite's attempts among the given public ids (this browser's), newest first."""
    return invite.attempts.filter(public_id__in=list(public_ids)).order_by("-started_at")


def finished_attempts_of_quiz(quiz: Quiz, *, public_ids: Iterable[str]) -> QuerySet[Attempt]:
    """The quiz's finished attempts among the given public ids (this browser's), newest first."""
    return (
        quiz.attempts.filter(public_id__in=list(public_ids))
        .exclude(state=Attempt.State.IN_PROGRESS)
        .order_by("-started_at", "-pk")
    )


def latest_finished_attempt(quiz: Quiz, public_ids: Iterable[str]) -> Attempt | None:
    """This browser's most recent finished attempt of the quiz, for a link to its result."""
    return finished_attempts_of_quiz(quiz, public_ids=public_ids).first()
