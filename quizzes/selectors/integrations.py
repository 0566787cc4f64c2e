"""Reads for the JSON API (quizzes/api): quizzes, invites and attempts, in stable orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet

from quizzes.models import Attempt, Invite, Quiz
from quizzes.selectors.candidate import presented_question_count


def visible_quizzes(user: User) -> QuerySet[Quiz]:
    """The quizzes the user may see in the admin (all of them, or none)."""
    if user.has_perm("quizzes.view_quiz") or user.has_perm("quizzes.change_quiz"):
        return Quiz.objects.all()
    return Quiz.objects.none()


def api_quizzes(user: User) -> QuerySet[Quiz]:
    """Every visible quiz with its number of published questions, by title (one query)."""
    return (
        visible_quizzes(user)
        .defer("description", "description_html")
        .annotate(question_count=presented_question_count())
        .order_by("title", "pk")
    )


def api_invite(invite_id: int) -> Invite | None:
    return Invite.objects.select_related("quiz").filter(pk=invite_id).first()


@dataclass(frozen=True)
class AttemptQuery:
    """The attempts list's filters and position; None = no filter."""

    quiz: str | None = None  # a quiz slug
    state: str | None = None
    submitted_after: datetime | None = None
    after_id: int = 0  # the cursor: attempts with a greater id
    limit: int = 50


def api_attempts(query: AttemptQuery) -> tuple[list[Attempt], bool]:
    """One page of attempts in id order, and whether more follow (one query).

    Ordered by id, so a page's position stays valid while attempts are added: new ones
    come after every existing one.
    """
    attempts = (
        Attempt.objects.select_related("quiz")
        .only(
            "pk",
            "public_id",
            "quiz__slug",
            "invite_id",
            "candidate_name",
            "candidate_email",
            "state",
            "started_at",
            "deadline",
            "submitted_at",
            "score",
            "max_score",
            "percent",
            "hiring_status",
        )
        .filter(pk__gt=query.after_id)
    )
    if query.quiz is not None:
        attempts = attempts.filter(quiz__slug=query.quiz)
    if query.state is not None:
        attempts = attempts.filter(state=query.state)
    if query.submitted_after is not None:
        attempts = attempts.filter(submitted_at__gt=query.submitted_after)
    page = list(attempts.order_by("pk")[: query.limit + 1])
    return page[: query.limit], len(page) > query.limit


def api_attempt(attempt_id: int) -> Attempt | None:
    """One attempt with its quiz, revision and answers (three queries)."""
    return (
        Attempt.objects.select_related("quiz", "revision")
        .prefetch_related("answers")
        .filter(pk=attempt_id)
        .first()
    )
