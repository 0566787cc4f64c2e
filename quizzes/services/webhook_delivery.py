"""Webhook delivery: each due delivery POSTed, signed, by the task queue.

`deliver_due` (a task, and every minute anyway) claims each due delivery (queued ->
delivering, one conditional update, so one worker at a time tries it) and POSTs it:
a 2xx answer delivers it; anything else, a network error or a timeout is logged as a
WebhookAttempt and retried after a pause that doubles, until WEBHOOK_RETRY_HOURS after
it was queued, then it is failed. Unlike email, a delivery a stopped worker left
"delivering" is tried again: receivers recognise a repeat by its X-Quizsite-Delivery id,
so at least once is the promise.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes import webhooks
from quizzes.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# A claimed delivery not finished within this time belongs to a worker that stopped
# (one try takes at most a few timeouts).
DELIVERING_TIMEOUT = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 200
# How much of the receiver's answer is read and kept: enough to see an error message.
RESPONSE_EXCERPT = 1000
URL_MAX_LENGTH = 2000
# Certificates are checked against the system's trusted authorities (the tests trust their
# own receiver's certificate here).
TLS_VERIFY: ssl.SSLContext | bool = True


def require_https() -> bool:
    return not (settings.DEBUG or settings.WEBHOOK_ALLOW_PRIVATE_URLS)


def refusal_message(error: webhooks.UnsafeURL) -> str:
    """Why the URL was refused, in the active language."""
    messages = {
        "invalid": _("not a valid URL: %(error)s"),
        "scheme": _("only http and https URLs can receive webhooks"),
        "https": _("webhook URLs must use https"),
        "no_host": _("the URL has no host"),
        "credentials": _("the URL must not contain a user name or password"),
        "unresolvable": _("cannot resolve %(host)s: %(error)s"),
        "no_address": _("%(host)s has no address"),
        "private": _("%(host)s resolves to %(address)s, which is not a public address"),
        "too_long": _("URLs are limited to %(limit)s characters"),
    }
    template = messages.get(error.code)
    return template % error.params if template else str(error)


def check_url(url: str) -> webhooks.Target:
    """The URL's target if it may receive webhooks now; raises webhooks.UnsafeURL."""
    if len(url) > URL_MAX_LENGTH:
        raise webhooks.UnsafeURL(
            "too_long", "URLs are limited to %(limit)s characters", limit=URL_MAX_LENGTH
        )
    return webhooks.resolve_target(
        url,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_URLS,
        require_https=require_https(),
    )


# Deliveries carry candidates' names, emails and scores: an endpoint receives them only
# while the user who set it up may read attempts (the right the API asks of whoever
# manages endpoints). Revoking that right, or deactivating the user, stops them at once.
READ_ATTEMPTS = "quizzes.view_attempt"


def owner_may_receive(endpoint: WebhookEndpoint) -> bool:
    """Whether the endpoint's creator may still read what its deliveries carry."""
    user = endpoint.created_by
    if user is None:  # set up by a command or a user since deleted: staff decide in the admin
        return True
    return bool(user.is_active and user.is_staff and user.has_perm(READ_ATTEMPTS))


def silenced_endpoint_ids() -> list[int]:
    """Active endpoints whose creator lost the right to read attempts (see above)."""
    endpoints = WebhookEndpoint.objects.filter(
        active=True, created_by__isnull=False
    ).select_related("created_by")
    return [endpoint.pk for endpoint in endpoints if not owner_may_receive(endpoint)]


def request_delivery() -> None:
    from quizzes.tasks import deliver_webhooks

    try:
        deliver_webhooks()
    except Exception:
        logger.exception("Could not queue webhook delivery; the periodic run will deliver")


def retry_pause(tries: int) -> timedelta:
    """How long to wait after the `tries`-th failed try (1-based)."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LONGEST_RETRY)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The request body: the same bytes at every try (keys sorted, as stored)."""
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass
class Answer:
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _host_header(target: webhooks.Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def post(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> Answer:
    """One signed POST of the delivery to the endpoint; never raises for network trouble."""
    try:
        # Checked again now: the name may resolve elsewhere than when it was saved.
        target = check_url(endpoint.url)
    except webhooks.UnsafeURL as error:
        return Answer(error=_("Refused: %(reason)s") % {"reason": refusal_message(error)})
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": webhooks.USER_AGENT,
        webhooks.EVENT_HEADER: delivery.event,
        webhooks.DELIVERY_HEADER: str(delivery.delivery_id),
        webhooks.SIGNATURE_HEADER: webhooks.sign(endpoint.secret, body, int(time.time())),
        "Host": _host_header(target),
    }
    # The connection goes to the address that was just checked, not to the name, which a
    # second lookup could resolve to a private address (DNS rebinding). The Host header and,
    # for https, the TLS server name and certificate check still use the name.
    url = httpx.URL(target.url).copy_with(host=target.address)
    timeout = settings.WEBHOOK_TIMEOUT
    watchdog = _Watchdog(timeout)
    extensions: dict[str, Any] = {"trace": watchdog.trace}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.host
    message = _("Timed out after %(seconds)s s (%(kind)s)")
    try:
        # No proxies from the environment (they would bypass the address check), no
        # redirects (a 3xx could point anywhere, and is not a 2xx).
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=False, trust_env=False, verify=TLS_VERIFY
            ) as client,
            watchdog,
        ):
            request = client.build_request(
                "POST", url, content=body, headers=headers, extensions=extensions
            )
            response = client.send(request, stream=True)
            try:
                excerpt = _read_excerpt(response, deadline=time.monotonic() + timeout)
            finally:
                response.close()
    except httpx.TimeoutException as error:
        return Answer(error=message % {"seconds": timeout, "kind": type(error).__name__})
    except Exception as error:
        if watchdog.fired:
            return Answer(error=message % {"seconds": timeout, "kind": "total"})
        # Whatever went wrong is this try's outcome: the delivery must move on (retry or
        # fail), not stay claimed by a worker that carried on.
        if not isinstance(error, httpx.HTTPError):
            logger.exception("Webhook %s: unexpected error", delivery.delivery_id)
        return Answer(error=f"{type(error).__name__}: {error}"[:2000])
    return Answer(status_code=response.status_code, excerpt=excerpt)


class _Watchdog:
    """Cuts the connection when the whole exchange outlasts `seconds`.

    httpx's timeouts bound each read, not the exchange: a receiver that sends its headers
    a byte at a time, each within the read timeout, would hold the worker for hours. The
    socket is learnt from httpcore's trace of the connection and shut down from a timer
    thread, which makes the blocked read return at once.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with self._lock:
                    self._sockets.append(sock)
                    fired = self.fired
                if fired:
                    self._cut()

    def _cut(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()


def _read_excerpt(response: httpx.Response, *, deadline: float) -> str:
    """The start of the answer, raw (no decompression), read within the time limit."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_raw():
            chunks.append(chunk)
            size += len(chunk)
            if size >= RESPONSE_EXCERPT or time.monotonic() > deadline:
                break
    except httpx.HTTPError:
        pass  # the status arrived; a body cut short is only a shorter excerpt
    return b"".join(chunks)[:RESPONSE_EXCERPT].decode("utf-8", errors="replace")


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    more: bool = False


def release_stalled(now: datetime) -> int:
    """Deliveries a stopped worker left "delivering" are queued again (see module docs)."""
    return WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.DELIVERING, claimed_at__lt=now - DELIVERING_TIMEOUT
    ).update(state=WebhookDelivery.State.QUEUED, next_try_at=now)


def _claim(pk: int, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(pk=pk, state=WebhookDelivery.State.QUEUED).update(
        state=WebhookDelivery.State.DELIVERING, claimed_at=now, tries=F("tries") + 1
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=pk)


def deliver_due(*, now: datetime | None = None, batch: int = BATCH) -> DeliveryReport:
    """Try every due delivery of an active endpoint once (at most `batch`); an endpoint whose
    creator may no longer read attempts gets nothing (`owner_may_receive`)."""
    now = now or timezone.now()
    release_stalled(now)
    report = DeliveryReport()
    due = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.QUEUED, next_try_at__lte=now, endpoint__active=True
        )
        .exclude(endpoint__in=silenced_endpoint_ids())
        .order_by("next_try_at", "pk")
        .values_list("pk", flat=True)[: batch + 1]
    )
    report.more = len(due) > batch
    for pk in due[:batch]:
        delivery = _claim(pk, now)
        if delivery is None:
            continue  # another worker has it
        state = try_delivery(delivery, now=now)
        if state == WebhookDelivery.State.DELIVERED:
            report.delivered += 1
        elif state == WebhookDelivery.State.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
    _ask_for_next_run(report)
    return report


def try_delivery(delivery: WebhookDelivery, *, now: datetime) -> str:
    """Post a claimed delivery, log the try and move it on; returns its new state."""
    started = time.monotonic()
    answer = post(delivery, delivery.endpoint)
    WebhookAttempt.objects.create(
        delivery=delivery,
        tried_at=now,
        status_code=answer.status_code,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=answer.error,
        response_excerpt=answer.excerpt,
    )
    update: dict[str, Any]
    if answer.delivered:
        update = {"state": WebhookDelivery.State.DELIVERED, "delivered_at": now}
    elif now >= delivery.retry_until:
        update = {"state": WebhookDelivery.State.FAILED}
    else:
        next_try = min(now + retry_pause(delivery.tries), delivery.retry_until)
        update = {"state": WebhookDelivery.State.QUEUED, "next_try_at": next_try}
        logger.warning(
            "Webhook %s to %s failed (try %d): %s",
            delivery.delivery_id,
            delivery.endpoint.url,
            delivery.tries,
            answer.error or answer.status_code,
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
    return update["state"]


def _ask_for_next_run(report: DeliveryReport) -> None:
    """Queue the next run for the earliest retry (or at once when a batch was cut short)."""
    from quizzes.tasks import deliver_webhooks

    if report.more:
        request_delivery()
        return
    # Later than now only: a row due now that this run skipped (another worker has it,
    # its endpoint is off) must not make an immediate queue call this run again at once.
    earliest = WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.QUEUED, next_try_at__gt=timezone.now(), endpoint__active=True
    ).aggregate(at=Min("next_try_at"))["at"]
    if earliest is None:
        return
    try:
        deliver_webhooks.schedule(eta=earliest)
    except Exception:
        logger.exception("Could not schedule the next webhook run; the periodic run will")
