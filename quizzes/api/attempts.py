"""GET /api/v1/attempts (cursor pagination) and GET /api/v1/attempts/{id}."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from quizzes.api.auth import token_auth
from quizzes.api.errors import ApiProblem
from quizzes.api.schemas import (
    AttemptDetail,
    AttemptPage,
    AttemptState,
    OptionOut,
    QuestionOut,
    responses,
)
from quizzes.models import ApiToken, Attempt
from quizzes.selectors.integrations import AttemptQuery, api_attempt, api_attempts
from quizzes.selectors.results import attempt_review

router = Router(tags=["attempts"])
READ = token_auth(ApiToken.Scope.ATTEMPTS_READ)
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_CURSOR_PREFIX = "a1:"


def encode_cursor(last_id: int) -> str:
    """An opaque position: the last id a page held (clients must not rely on its form)."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 19:
        raise ApiProblem(
            422,
            _("The request has invalid fields: see errors."),
            kind="validation",
            errors=[{"field": "cursor", "message": _("Not a cursor this API returned.")}],
        )
    return int(number)


class AttemptFilters(Schema):
    quiz: str | None = NinjaField(None, description="A quiz's slug.", max_length=200)
    state: AttemptState | None = None
    submitted_after: datetime | None = NinjaField(
        None, description="Only attempts submitted after this moment (ISO 8601)."
    )
    cursor: str | None = NinjaField(None, max_length=100, description="From `next_cursor`.")
    limit: int = NinjaField(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def attempt_out(request: HttpRequest, attempt: Attempt) -> dict:
    return {
        "id": attempt.pk,
        "invite_id": attempt.invite_id,
        "quiz": attempt.quiz.slug,
        "candidate_name": attempt.candidate_name,
        "candidate_email": attempt.candidate_email,
        "state": attempt.state,
        "time_ran_out": attempt.time_ran_out,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "hiring_status": attempt.hiring_status,
        "staff_url": request.build_absolute_uri(
            reverse("quizzes:review_attempt", kwargs={"public_id": attempt.public_id})
        ),
    }


@router.get(
    "",
    response=responses({200: AttemptPage}, 422),
    auth=READ,
    summary="List attempts",
    operation_id="list_attempts",
)
def list_attempts(request: HttpRequest, filters: Query[AttemptFilters]):
    """Attempts in the order they started (by id), a page at a time.

    A page's `next_cursor` stays valid while attempts are added: new ones come after all
    existing ones, so no attempt is skipped or repeated.
    """
    submitted_after = filters.submitted_after
    if submitted_after is not None and timezone.is_naive(submitted_after):
        submitted_after = timezone.make_aware(submitted_after)
    query = AttemptQuery(
        quiz=filters.quiz,
        state=filters.state,
        submitted_after=submitted_after,
        after_id=decode_cursor(filters.cursor) if filters.cursor else 0,
        limit=filters.limit,
    )
    attempts, more = api_attempts(query)
    return {
        "attempts": [attempt_out(request, attempt) for attempt in attempts],
        "next_cursor": encode_cursor(attempts[-1].pk) if more else None,
    }


@router.get(
    "/{attempt_id}",
    response=responses({200: AttemptDetail}, 404),
    auth=READ,
    summary="Read an attempt with its answers",
    operation_id="get_attempt",
)
def get_attempt(request: HttpRequest, attempt_id: int):
    """The attempt, and each question as presented with its points and chosen options.

    Read from the attempt's revision (the content as the candidate saw it), as the staff
    page does: later edits of the quiz do not change it.
    """
    attempt = api_attempt(attempt_id)
    if attempt is None:
        raise Http404
    questions = [
        QuestionOut(
            id=question.question_id,
            number=question.number,
            text=question.text,
            kind=question.kind,  # type: ignore[arg-type]
            points=question.points,
            max_points=question.max_points,
            overridden=question.overridden,
            answered=question.answered,
            options=[
                OptionOut(
                    id=option.option_id,
                    text=option.text,
                    verdict=option.verdict,  # type: ignore[arg-type]
                    chosen=option.chosen,
                )
                for option in question.options
            ],
        )
        for question in attempt_review(attempt, list(attempt.answers.all()))
    ]
    return {**attempt_out(request, attempt), "questions": questions}
