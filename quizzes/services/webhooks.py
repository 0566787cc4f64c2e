"""Webhooks: endpoints, and the events recorded for each endpoint that subscribed to them.

A candidate's request only registers `announce(event, id)`, which after the commit asks
the queue to run `record_event` (no query in the request; a queue that is down is logged,
never the candidate's problem). A finished attempt's event rides on the one task that
also notifies recruiters (tasks.attempt_finished, see attempt_finished_event).
`record_event` writes one WebhookDelivery per subscribed endpoint, at most once per
endpoint, event and object, however often it runs.

Delivery itself is services.webhook_delivery.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes import webhooks
from quizzes.models import (
    Attempt,
    Invite,
    WebhookDelivery,
    WebhookEndpoint,
    new_webhook_secret,
)
from quizzes.services.webhook_delivery import (
    check_url,
    owner_may_receive,
    refusal_message,
    request_delivery,
)

logger = logging.getLogger(__name__)


def validate_endpoint(*, url: str, events: Iterable[str], adding: bool = False) -> list[str]:
    """The events, cleaned; raises ValidationError naming the field (url, events), or with
    no field when `adding` one more active endpoint would pass WEBHOOK_MAX_ENDPOINTS."""
    if adding and WebhookEndpoint.objects.filter(active=True).count() >= (
        settings.WEBHOOK_MAX_ENDPOINTS
    ):
        raise ValidationError(
            _(
                "There are already %(limit)d active webhook endpoints, the most allowed: "
                "turn one off or remove it first."
            )
            % {"limit": settings.WEBHOOK_MAX_ENDPOINTS}
        )
    errors: dict[str, list[str]] = {}
    try:
        check_url(url)
    except webhooks.UnsafeURL as error:
        reason = refusal_message(error)
        errors["url"] = [_("This URL cannot receive webhooks: %(reason)s") % {"reason": reason}]
    chosen = list(dict.fromkeys(events))
    unknown = [event for event in chosen if event not in webhooks.EVENTS]
    if unknown:
        errors["events"] = [_("Unknown events: %(events)s") % {"events": ", ".join(unknown)}]
    elif not chosen:
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise ValidationError(errors)
    return [event for event in webhooks.EVENTS if event in chosen]


def create_webhook_endpoint(
    *, user: User | None, url: str, secret: str, events: Iterable[str]
) -> WebhookEndpoint:
    """Check and save an endpoint; an empty secret gets a generated one.

    Raises ValidationError (by field: url, events, secret) for a URL that may not receive
    webhooks (see quizzes.webhooks) or events that do not exist.
    """
    clean_events = validate_endpoint(url=url, events=events, adding=True)
    secret = secret.strip()
    if len(secret) > WebhookEndpoint._meta.get_field("secret").max_length:  # type: ignore[operator]
        raise ValidationError({"secret": [_("The secret is too long.")]})
    return WebhookEndpoint.objects.create(
        url=url,
        secret=secret or new_webhook_secret(),
        events=clean_events,
        created_by=user,
    )


# --- Events ------------------------------------------------------------------------------


def _enqueue_event(event: str, object_id: int) -> None:
    # Imported here: the tasks module imports this one.
    from quizzes.tasks import record_webhook_event

    try:
        record_webhook_event(event, object_id)
    except Exception:
        # The queue is down: the event is lost for webhooks, but the candidate's submit
        # or start already committed and must not fail because of an integration.
        logger.exception("Could not queue webhook event %s for %s", event, object_id)


def announce(event: str, object_id: int) -> None:
    """After the current transaction commits, have the queue record `event` (no query here)."""
    transaction.on_commit(partial(_enqueue_event, event, object_id))


def attempt_finished_event(attempt_id: int) -> str | None:
    """attempt.closed when the server closed it (time ran out), attempt.submitted when the
    candidate did; None while it is open or when it is gone.

    The finished attempt's one queued task (tasks.attempt_finished) asks this, so the
    submit itself spends nothing on webhooks.
    """
    state = Attempt.objects.filter(pk=attempt_id).values_list("state", flat=True).first()
    if state == Attempt.State.CLOSED:
        return webhooks.ATTEMPT_CLOSED
    if state == Attempt.State.SUBMITTED:
        return webhooks.ATTEMPT_SUBMITTED
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def attempt_data(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "public_id": str(attempt.public_id),
        "invite_id": attempt.invite_id,
        "quiz": attempt.quiz.slug,
        "candidate_name": attempt.candidate_name,
        "candidate_email": attempt.candidate_email,
        "state": attempt.state,
        "started_at": _iso(attempt.started_at),
        "submitted_at": _iso(attempt.submitted_at),
        "score": _number(attempt.score),
        "max_score": _number(attempt.max_score),
        "percent": _number(attempt.percentage),
        "hiring_status": attempt.hiring_status,
        "url": settings.SITE_URL
        + reverse("quizzes:review_attempt", kwargs={"public_id": attempt.public_id}),
    }


def invite_data(invite: Invite) -> dict[str, Any]:
    return {
        "id": invite.pk,
        "quiz": invite.quiz.slug,
        "kind": invite.kind,
        "candidate_name": invite.candidate_name,
        "candidate_email": invite.candidate_email,
        "expires_at": _iso(invite.expires_at),
        "uses": invite.uses,
        "max_uses": invite.max_uses,
    }


def event_data(event: str, object_id: int) -> dict[str, Any] | None:
    """What an event says about its object, read now; None when the object is gone."""
    if event in (webhooks.ATTEMPT_SUBMITTED, webhooks.ATTEMPT_CLOSED, webhooks.INVITE_USED):
        attempt = (
            Attempt.objects.select_related("quiz", "invite__quiz").filter(pk=object_id).first()
        )
        if attempt is None:
            return None
        if event != webhooks.INVITE_USED:
            return attempt_data(attempt)
        if attempt.invite is None:
            return None
        return {**invite_data(attempt.invite), "attempt": attempt_data(attempt)}
    if event == webhooks.INVITE_EXPIRED:
        invite = Invite.objects.select_related("quiz").filter(pk=object_id).first()
        return invite_data(invite) if invite is not None else None
    raise ValueError(f"unknown event {event!r}")


def _new_delivery(
    endpoint: WebhookEndpoint, event: str, object_id: str, data: dict[str, Any], now: datetime
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        endpoint=endpoint,
        event=event,
        object_id=object_id,
        created_at=now,
        next_try_at=now,
        retry_until=now + timedelta(hours=settings.WEBHOOK_RETRY_HOURS),
    )
    delivery.payload = {
        "event": event,
        "id": str(delivery.delivery_id),
        "created": now.isoformat(),
        "data": data,
    }
    return delivery


def _subscribed(event: str) -> list[WebhookEndpoint]:
    # Few endpoints exist; their event lists are filtered here because SQLite has no JSON
    # containment lookup.
    # An endpoint whose creator may no longer read attempts records nothing either.
    endpoints = WebhookEndpoint.objects.filter(active=True).select_related("created_by")
    return [e for e in endpoints if event in e.events and owner_may_receive(e)]


def record_event(*, event: str, object_id: int, now: datetime | None = None) -> int:
    """Write the event's delivery for each subscribed endpoint, once; returns rows written."""
    endpoints = _subscribed(event)
    if not endpoints:
        return 0
    data = event_data(event, object_id)
    if data is None:
        return 0
    now = now or timezone.now()
    return _write(_new_delivery(e, event, str(object_id), data, now) for e in endpoints)


def _write(deliveries: Iterable[WebhookDelivery]) -> int:
    """Save the deliveries not written before (by endpoint, event and object); count them."""
    rows = list(deliveries)
    if not rows:
        return 0
    keys = {(row.event, row.object_id) for row in rows}
    written = set(
        WebhookDelivery.objects.filter(
            event__in={event for event, _ in keys},
            object_id__in={object_id for _, object_id in keys},
            endpoint__in={row.endpoint_id for row in rows},
        ).values_list("endpoint_id", "event", "object_id")
    )
    new = [row for row in rows if (row.endpoint_id, row.event, row.object_id) not in written]
    # A concurrent run may write the same rows meanwhile: the unique constraint drops them.
    WebhookDelivery.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def record_invite_expirations(*, now: datetime | None = None) -> int:
    """invite.expired for each invite whose expiry passed since the endpoint's last check.

    Each endpoint's check window is claimed by moving its mark with a conditional update in
    the same transaction as the rows, so concurrent runs find every expiry once.
    """
    now = now or timezone.now()
    endpoints = _subscribed(webhooks.INVITE_EXPIRED)
    # Endpoints that do not listen move their mark too: subscribing later does not bring
    # a flood of old expiries.
    WebhookEndpoint.objects.exclude(pk__in=[e.pk for e in endpoints]).filter(
        invites_checked_until__lt=now
    ).update(invites_checked_until=now)
    written = 0
    for endpoint in endpoints:
        since = endpoint.invites_checked_until
        if since >= now:
            continue
        with transaction.atomic():
            claimed = WebhookEndpoint.objects.filter(
                pk=endpoint.pk, invites_checked_until=since
            ).update(invites_checked_until=now)
            if not claimed:
                continue
            invites = Invite.objects.select_related("quiz").filter(
                expires_at__gt=since, expires_at__lte=now
            )
            written += _write(
                _new_delivery(
                    endpoint, webhooks.INVITE_EXPIRED, str(invite.pk), invite_data(invite), now
                )
                for invite in invites.iterator(chunk_size=500)
            )
    return written


def send_test_event(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `ping` delivery to the endpoint (the admin's "send test event")."""
    delivery = _new_delivery(
        endpoint,
        webhooks.PING,
        uuid.uuid4().hex,
        {"endpoint_id": endpoint.pk, "url": endpoint.url},
        timezone.now(),
    )
    delivery.save()
    transaction.on_commit(request_delivery)
    return delivery


def redeliver(*, delivery: WebhookDelivery) -> bool:
    """Queue the same delivery (same id and payload) again, with a fresh retry window.

    False when a worker is delivering it right now.
    """
    now = timezone.now()
    queued = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(state=WebhookDelivery.State.DELIVERING)
        .update(
            state=WebhookDelivery.State.QUEUED,
            next_try_at=now,
            retry_until=now + timedelta(hours=settings.WEBHOOK_RETRY_HOURS),
        )
    )
    if queued:
        transaction.on_commit(request_delivery)
    return bool(queued)
