"""POST /api/v1/invites, POST /api/v1/invites/bulk, GET /api/v1/invites/{id}.

Invites are created by the same service as the admin's (services.invites.create_invites):
personal, one per candidate, for a quiz the token's user may see.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Router, Status

from quizzes.api.auth import token_auth
from quizzes.api.errors import ApiProblem
from quizzes.api.schemas import (
    BulkInviteIn,
    BulkInviteOut,
    InviteIn,
    InviteOptions,
    InviteOut,
    responses,
)
from quizzes.candidates import InviteEntry
from quizzes.models import ApiToken, Invite, Quiz
from quizzes.selectors.integrations import api_invite, visible_quizzes
from quizzes.services.api_tokens import IdempotencyKeyReused, create_invites_once
from quizzes.services.invitations import InvitationQuotaExceeded
from quizzes.services.invites import create_invites

router = Router(tags=["invites"])
WRITE = token_auth(ApiToken.Scope.INVITES_WRITE, "write")
READ = token_auth(ApiToken.Scope.INVITES_WRITE, "read")
IDEMPOTENCY_KEY = Header(
    None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=255,
    description="A retry with the same key and body returns the invites of the first request.",
)


def invite_out(request: HttpRequest, invite: Invite) -> InviteOut:
    return InviteOut(
        id=invite.pk,
        url=request.build_absolute_uri(invite.get_absolute_url()),
        quiz=invite.quiz.slug,
        name=invite.candidate_name,
        email=invite.candidate_email,
        # In UTC, as read back from the database: a fresh invite holds the request's offset.
        expires_at=invite.expires_at and invite.expires_at.astimezone(UTC),
        max_uses=invite.max_uses,
        uses=invite.uses,
        status=invite.unavailable_reason() or "active",  # type: ignore[arg-type]
        created_at=invite.created_at,
    )


def _field_problem(field: str, message: str) -> ApiProblem:
    return ApiProblem(
        422,
        _("The request has invalid fields: see errors."),
        kind="validation",
        errors=[{"field": field, "message": message}],
    )


def _quiz(request: HttpRequest, slug: str) -> Quiz:
    quiz = visible_quizzes(request.auth.user).filter(slug=slug).first()  # type: ignore[attr-defined]
    if quiz is None:
        raise _field_problem("quiz", _("No quiz with the slug “%(slug)s”.") % {"slug": slug})
    return quiz


def _create(
    request: HttpRequest,
    *,
    payload: BulkInviteIn | InviteIn,
    entries: list[InviteEntry],
    options: InviteOptions,
    idempotency_key: str | None,
) -> tuple[list[Invite], bool]:
    token: ApiToken = request.auth  # type: ignore[attr-defined]

    def create() -> list[Invite]:
        quiz = _quiz(request, payload.quiz)
        expires_at = options.expires_at
        if expires_at is not None and timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at is not None and expires_at <= timezone.now():
            raise _field_problem("expires_at", _("The expiry date is in the past."))
        try:
            return create_invites(
                quiz=quiz,
                entries=entries,
                max_uses=options.max_uses,
                expires_at=expires_at,
                language=options.language or "",
                send_email=options.send_email,
                created_by=token.user,
            )
        except InvitationQuotaExceeded as refused:
            raise ApiProblem(
                429, refused.message, kind="email-quota", headers={"Retry-After": "3600"}
            ) from None

    if idempotency_key is None:
        with transaction.atomic():
            return create(), True
    body = json.dumps(payload.model_dump(mode="json"), sort_keys=True)
    request_hash = hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()
    try:
        return create_invites_once(
            token=token, key=idempotency_key, request_hash=request_hash, create=create
        )
    except IdempotencyKeyReused:
        raise ApiProblem(
            422,
            _(
                "This Idempotency-Key was used before with a different request; "
                "use a new key for a new request."
            ),
            kind="idempotency-key-reused",
        ) from None


def _replayed(response: HttpResponse, created: bool) -> None:
    if not created:
        response["Idempotent-Replayed"] = "true"


@router.post(
    "",
    response=responses({201: InviteOut}, 422),
    auth=WRITE,
    summary="Create an invite",
    operation_id="create_invite",
)
def create_invite(
    request: HttpRequest,
    response: HttpResponse,
    payload: InviteIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    """A personal invite for one candidate; 201 with its link, also for a replayed retry."""
    (invite,), created = _create(
        request,
        payload=payload,
        entries=[InviteEntry(name=payload.name, email=payload.email)],
        options=payload,
        idempotency_key=idempotency_key,
    )
    _replayed(response, created)
    return Status(201, invite_out(request, invite))


@router.post(
    "/bulk",
    response=responses({201: BulkInviteOut}, 422),
    auth=WRITE,
    summary="Create up to 1,000 invites at once",
    operation_id="create_invites_bulk",
)
def create_invites_bulk(
    request: HttpRequest,
    response: HttpResponse,
    payload: BulkInviteIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    """One personal invite per candidate, all or none, in the order given."""
    seen: set[str] = set()
    for number, candidate in enumerate(payload.candidates):
        address = candidate.email.lower()
        if address in seen:
            raise _field_problem(
                f"candidates.{number}.email",
                _("%(email)s is listed twice.") % {"email": candidate.email},
            )
        seen.add(address)
    invites, created = _create(
        request,
        payload=payload,
        entries=[InviteEntry(name=c.name, email=c.email) for c in payload.candidates],
        options=payload,
        idempotency_key=idempotency_key,
    )
    _replayed(response, created)
    return Status(201, {"invites": [invite_out(request, invite) for invite in invites]})


@router.get(
    "/{invite_id}",
    response=responses({200: InviteOut}, 404),
    auth=READ,
    summary="Read an invite",
    operation_id="get_invite",
)
def get_invite(request: HttpRequest, invite_id: int):
    invite = api_invite(invite_id)
    if invite is None:
        raise Http404
    return invite_out(request, invite)
