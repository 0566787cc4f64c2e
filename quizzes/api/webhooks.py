"""POST /api/v1/webhooks and GET /api/v1/webhooks: the endpoints events are posted to.

Created by the same service as the admin's (services.webhooks.create_webhook_endpoint),
which refuses URLs that resolve to private addresses. The secret is returned once, in the
answer to the POST (generated when none is given); listings never show it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from quizzes.api.auth import token_auth
from quizzes.api.errors import ApiProblem
from quizzes.api.schemas import responses
from quizzes.models import ApiToken, WebhookEndpoint
from quizzes.services.webhooks import create_webhook_endpoint

router = Router(tags=["webhooks"])
WRITE = token_auth(ApiToken.Scope.WEBHOOKS_WRITE, "write")
READ = token_auth(ApiToken.Scope.WEBHOOKS_WRITE, "read")
# The endpoint list is for managing a handful of integrations, not a data feed.
MAX_LISTED = 200

Event = Literal["attempt.submitted", "attempt.closed", "invite.used", "invite.expired"]


class WebhookIn(Schema):
    url: str = Field(max_length=2000, description="https URL that receives the events.")
    secret: str = Field(
        "", max_length=200, description="Signing secret; empty: one is generated and returned."
    )
    events: list[Event] = Field(min_length=1, max_length=4)


class WebhookOut(Schema):
    id: int
    url: str
    events: list[Event]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown in this answer only: keep it to verify signatures.")


class WebhookList(Schema):
    webhooks: list[WebhookOut]


def _out(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "active": endpoint.active,
        "created_at": endpoint.created_at,
    }


@router.post(
    "",
    response=responses({201: WebhookCreated}, 409, 422),
    auth=WRITE,
    summary="Add a webhook endpoint",
    operation_id="create_webhook",
)
def create_webhook(request: HttpRequest, payload: WebhookIn):
    """Events are posted to the URL, signed with the secret (see the README's guide)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    try:
        endpoint = create_webhook_endpoint(
            user=token.user, url=payload.url, secret=payload.secret, events=payload.events
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ApiProblem(409, " ".join(error.messages), kind="too-many-endpoints") from None
        raise ApiProblem(
            422,
            _("The request has invalid fields: see errors."),
            kind="validation",
            errors=[
                {"field": field, "message": str(message)}
                for field, messages in error.message_dict.items()
                for message in messages
            ],
        ) from None
    return Status(201, {**_out(endpoint), "secret": endpoint.secret})


@router.get(
    "",
    response=responses({200: WebhookList}),
    auth=READ,
    summary="List webhook endpoints",
    operation_id="list_webhooks",
)
def list_webhooks(request: HttpRequest):
    """Every endpoint (newest first, at most 200), without secrets."""
    endpoints = WebhookEndpoint.objects.order_by("-created_at", "-pk")[:MAX_LISTED]
    return {"webhooks": [_out(endpoint) for endpoint in endpoints]}
