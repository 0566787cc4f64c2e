"""What the API reads and writes: field names here are the v1 contract with outside clients."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator

MAX_BULK = 1000
Language = Literal["ru", "en"]
AttemptState = Literal["in_progress", "submitted", "closed"]
HiringStatus = Literal["new", "shortlisted", "on_hold", "rejected", "hired"]
InviteStatus = Literal["active", "expired", "used_up", "closed"]


def _email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("not a valid email address") from None
    return value


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Name = Annotated[str, Field(max_length=200), AfterValidator(_name)]


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 9457 problem document (served as application/problem+json)."""

    type: str = Field(description="A URN naming the kind of problem, or about:blank.")
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = Field(None, description="Per field, for 422.")


# Every token-authenticated operation can answer these.
AUTH_PROBLEMS = (401, 403, 429)


def responses(ok: dict[int, type], *statuses: int) -> dict[int, type]:
    """An operation's responses: its own, and the problems it may answer."""
    return {**ok, **{status: Problem for status in (*AUTH_PROBLEMS, *statuses)}}


class QuizOut(Schema):
    id: int
    slug: str
    title: str
    question_count: int = Field(description="Published questions: what an attempt gets.")
    time_limit_seconds: int | None = Field(None, description="Null: no time limit.")
    published: bool
    public: bool = Field(description="Anyone can start it from the home page.")


class QuizList(Schema):
    quizzes: list[QuizOut]


class InviteOptions(Schema):
    expires_at: datetime | None = Field(
        None,
        description="Null: the link never expires.",
        examples=["2030-01-31T18:00:00+03:00"],
    )
    max_uses: int = Field(1, ge=1, le=10_000)
    send_email: bool = Field(False, description="Email the candidate their invitation link.")
    language: Language | None = Field(None, description="Of the email; default the site's.")


# The docs' "Try it out" starts from these: executed as offered they create an invite.
QUIZ_SLUG = Field(description="The quiz's slug.", max_length=200, examples=["python-developer"])
NAME_EXAMPLE = Field(examples=["Анна Иванова"])
EMAIL_EXAMPLE = Field(examples=["anna@example.com"])


class InviteIn(InviteOptions):
    quiz: str = QUIZ_SLUG
    name: Name = NAME_EXAMPLE
    email: Email = EMAIL_EXAMPLE


class Candidate(Schema):
    name: Name = NAME_EXAMPLE
    email: Email = EMAIL_EXAMPLE


class BulkInviteIn(InviteOptions):
    quiz: str = QUIZ_SLUG
    candidates: list[Candidate] = Field(min_length=1, max_length=MAX_BULK)


class InviteOut(Schema):
    id: int
    url: str = Field(description="The candidate's personal link.")
    quiz: str = Field(description="The quiz's slug.")
    name: str
    email: str
    expires_at: datetime | None
    max_uses: int
    uses: int
    status: InviteStatus
    created_at: datetime


class BulkInviteOut(Schema):
    invites: list[InviteOut]


class AttemptOut(Schema):
    id: int
    invite_id: int | None
    quiz: str = Field(description="The quiz's slug.")
    candidate_name: str
    candidate_email: str
    state: AttemptState
    time_ran_out: bool
    started_at: datetime
    submitted_at: datetime | None
    score: Decimal | None
    max_score: Decimal
    percent: float | None
    hiring_status: HiringStatus
    staff_url: str = Field(description="The attempt's page for staff.")


class AttemptPage(Schema):
    attempts: list[AttemptOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done.")


class OptionOut(Schema):
    id: int
    text: str
    verdict: Literal["correct", "incorrect", "partial"]
    chosen: bool


class QuestionOut(Schema):
    id: int
    number: int = Field(description="As the attempt presented it, from 1.")
    text: str
    kind: Literal["single", "multiple"]
    points: Decimal | None
    max_points: Decimal
    overridden: bool = Field(description="A recruiter set the points by hand.")
    answered: bool
    options: list[OptionOut] = Field(description="In the order the attempt presented them.")


class AttemptDetail(AttemptOut):
    questions: list[QuestionOut]


def time_limit_seconds(limit: timedelta | None) -> int | None:
    return None if limit is None else int(limit.total_seconds())
