"""Webhooks against a real HTTP receiver (tests/webhooks.py): events, signatures, retries,
the address rule and the admin."""

from __future__ import annotations

import ipaddress
import json
import re
import ssl
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from quizzes import tasks, webhooks
from quizzes.models import (
    Attempt,
    Invite,
    OutboundEmail,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from quizzes.services import webhook_delivery as delivering
from quizzes.services import webhooks as service
from quizzes.services.attempts import start_attempt, submit_attempt
from tests.builders import ALL_RIGHT, answer_post, make_quiz
from tests.webhooks import Receiver

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SECRET = "whsec_test-secret"


def readme_verify():
    """The README's signature check, run as written there."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Verifying a signature") :]
    code = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 10
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


def endpoint_for(receiver, events=webhooks.EVENTS, **fields) -> WebhookEndpoint:
    return service.create_webhook_endpoint(
        user=None, url=fields.pop("url", receiver.url), secret=SECRET, events=events
    )


def delivery_for(endpoint: WebhookEndpoint, object_id="1", **fields) -> WebhookDelivery:
    now = timezone.now()
    delivery = WebhookDelivery(
        endpoint=endpoint,
        event=webhooks.ATTEMPT_SUBMITTED,
        object_id=object_id,
        created_at=now,
        next_try_at=now,
        retry_until=now + timedelta(hours=24),
        **fields,
    )
    delivery.payload = {"event": delivery.event, "id": str(delivery.delivery_id), "data": {}}
    delivery.save()
    return delivery


@pytest.fixture(autouse=True)
def _english():
    # Errors are stored and raised in the active language (Russian by default).
    with translation.override("en"):
        yield


@pytest.fixture
def quiz_with_invite():
    quiz = make_quiz(title="Вебхуки", access="invite", review_after_attempt="full")
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Анна Иванова", candidate_email="anna@example.com"
    )
    return quiz, invite


# --- signature and headers -----------------------------------------------------------------


def test_a_ping_arrives_signed_and_the_readme_snippet_verifies_it(webhook_receiver):
    endpoint = endpoint_for(webhook_receiver)
    with transaction.atomic():
        service.send_test_event(endpoint=endpoint)
    # Outside a transactional test on_commit does not run by itself.
    delivering.deliver_due()

    (request,) = webhook_receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hooks/quizsite"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "quizsite-webhooks"
    assert request.headers["X-Quizsite-Event"] == "ping"
    assert request.headers["X-Quizsite-Delivery"] == str(delivery.delivery_id)
    assert request.headers["Host"] == f"127.0.0.1:{webhook_receiver.port}"
    body = json.loads(request.body)
    assert body["event"] == "ping" and body["id"] == str(delivery.delivery_id)
    assert body["data"]["endpoint_id"] == endpoint.pk

    verify = readme_verify()
    signature = request.headers["X-Quizsite-Signature"]
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", signature)
    assert verify(SECRET, request.body, signature)
    assert not verify("another secret", request.body, signature)
    assert not verify(SECRET, request.body + b" ", signature)
    old = webhooks.sign(SECRET, request.body, int(timezone.now().timestamp()) - 3600)
    assert not verify(SECRET, request.body, old)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.tries == 1
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.error, attempt.response_excerpt) == (200, "", "ok")


def test_a_try_is_named_by_the_sites_time_like_its_columns(settings):
    # The admin lists each try under this name, next to its time in the site's zone.
    settings.TIME_ZONE = "Europe/Moscow"
    tried = WebhookAttempt(delivery_id=7, tried_at=datetime(2026, 11, 30, 2, 22, 23, tzinfo=UTC))
    assert str(tried) == "7 @ 2026-11-30 05:22:23"


# --- retries -------------------------------------------------------------------------------


def test_a_receiver_answering_500_once_gets_the_same_delivery_again_after_the_pause(
    webhook_receiver,
):
    webhook_receiver.answer("error")
    delivery = delivery_for(endpoint_for(webhook_receiver))

    report = delivering.deliver_due()
    assert report.retrying == 1
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.QUEUED
    assert delivery.next_try_at > timezone.now()
    assert delivering.deliver_due().retrying == 0  # not due yet: nothing sent
    assert len(webhook_receiver.requests) == 1

    delivering.deliver_due(now=delivery.next_try_at)

    first, second = webhook_receiver.wait_for(2)
    assert first.headers["X-Quizsite-Delivery"] == second.headers["X-Quizsite-Delivery"]
    assert first.body == second.body
    verify = readme_verify()
    assert verify(SECRET, second.body, second.headers["X-Quizsite-Signature"])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.tries) == (WebhookDelivery.State.DELIVERED, 2)
    codes = list(delivery.attempts.values_list("status_code", "response_excerpt"))
    assert codes == [(500, "receiver says no"), (200, "ok")]


def test_pauses_double_and_the_delivery_fails_after_the_retry_window(webhook_receiver):
    webhook_receiver.answer(*["error"] * 10)
    delivery = delivery_for(endpoint_for(webhook_receiver))
    start = delivery.created_at
    pauses = []
    for _ in range(3):
        delivering.deliver_due(now=delivery.next_try_at)
        tried = delivery.next_try_at
        delivery.refresh_from_db()
        pauses.append(delivery.next_try_at - tried)
    assert pauses == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]

    # Late in the window the next try is at its end at the latest; the try there fails it.
    delivering.deliver_due(now=start + timedelta(hours=23, minutes=59, seconds=30))
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.QUEUED
    assert delivery.next_try_at == delivery.retry_until == start + timedelta(hours=24)
    delivering.deliver_due(now=delivery.retry_until)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.tries) == (WebhookDelivery.State.FAILED, 5)
    assert delivery.attempts.count() == 5
    delivering.deliver_due(now=start + timedelta(days=2))
    assert len(webhook_receiver.requests) == 5


def test_redeliver_sends_the_same_delivery_id_again(webhook_receiver):
    webhook_receiver.answer(*["error"] * 3)
    delivery = delivery_for(endpoint_for(webhook_receiver))
    delivering.deliver_due(now=delivery.created_at + timedelta(hours=25))
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED

    assert service.redeliver(delivery=delivery)
    delivering.deliver_due()

    first, again = webhook_receiver.wait_for(2)
    assert again.headers["X-Quizsite-Delivery"] == first.headers["X-Quizsite-Delivery"]
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.QUEUED  # the receiver still says 500
    assert delivery.retry_until > timezone.now() + timedelta(hours=23)


def test_a_delivery_a_stopped_worker_left_delivering_is_tried_again(webhook_receiver):
    delivery = delivery_for(
        endpoint_for(webhook_receiver),
        state=WebhookDelivery.State.DELIVERING,
        claimed_at=timezone.now() - timedelta(minutes=6),
    )
    delivering.deliver_due()
    webhook_receiver.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_post_each_delivery_once(webhook_receiver):
    from django.db import connection

    endpoint = endpoint_for(webhook_receiver)
    for n in range(30):
        delivery_for(endpoint, object_id=str(n))
    errors = []

    def worker():
        try:
            delivering.deliver_due()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [request.headers["X-Quizsite-Delivery"] for request in webhook_receiver.wait_for(30)]
    assert len(ids) == len(set(ids)) == 30
    assert WebhookAttempt.objects.count() == 30
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_redirects_are_not_followed(webhook_receiver):
    webhook_receiver.answer("redirect")
    delivery = delivery_for(endpoint_for(webhook_receiver))
    delivering.deliver_due()
    (request,) = webhook_receiver.wait_for(1)
    assert request.path == "/hooks/quizsite"
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.QUEUED
    assert delivery.attempts.get().status_code == 302
    assert len(webhook_receiver.requests) == 1


def test_a_timeout_is_recorded_and_retried(webhook_receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    webhook_receiver.slow_seconds = 1.5
    webhook_receiver.answer("slow")
    delivery = delivery_for(endpoint_for(webhook_receiver))
    delivering.deliver_due()
    delivery.refresh_from_db()
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert "Timed out after 0.3 s" in attempt.error
    assert attempt.duration_ms < 1500
    assert delivery.state == WebhookDelivery.State.QUEUED


def test_a_receiver_dripping_its_answer_holds_a_worker_no_longer_than_the_timeout(
    webhook_receiver, settings
):
    # A byte every 0.2 s never trips a read timeout of 1 s: only a limit on the whole
    # exchange stops a receiver that would otherwise keep the worker for hours.
    settings.WEBHOOK_TIMEOUT = 1
    webhook_receiver.slow_seconds = 0.2
    webhook_receiver.answer("drip")
    delivery = delivery_for(endpoint_for(webhook_receiver))
    started = time.monotonic()
    delivering.deliver_due()
    assert time.monotonic() - started < 3
    attempt = delivery.attempts.get()
    assert attempt.status_code is None and "Timed out after 1 s" in attempt.error
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.QUEUED


def test_a_refused_connection_is_recorded(webhook_receiver):
    endpoint = endpoint_for(webhook_receiver)
    webhook_receiver.stop()
    delivery = delivery_for(endpoint)
    delivering.deliver_due()
    attempt = delivery.attempts.get()
    assert attempt.status_code is None and "ConnectError" in attempt.error


def test_an_inactive_endpoint_gets_nothing(webhook_receiver):
    endpoint = endpoint_for(webhook_receiver)
    delivery_for(endpoint)
    WebhookEndpoint.objects.update(active=False)
    delivering.deliver_due()
    assert webhook_receiver.requests == []


def _recruiter(name: str) -> User:
    from django.contrib.auth.models import Group

    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    return user


@pytest.mark.parametrize(
    "lose_it",
    [
        lambda user: User.objects.filter(pk=user.pk).update(is_active=False),
        lambda user: User.objects.filter(pk=user.pk).update(is_staff=False),
        lambda user: user.groups.clear(),
    ],
    ids=["deactivated", "no longer staff", "no longer a recruiter"],
)
def test_an_endpoint_whose_creator_lost_the_right_to_read_attempts_gets_nothing(
    webhook_receiver, quiz_with_invite, lose_it
):
    quiz, _invite = quiz_with_invite
    creator = _recruiter("leaver")
    endpoint = service.create_webhook_endpoint(
        user=creator, url=webhook_receiver.url, secret=SECRET, events=webhooks.EVENTS
    )
    queued = delivery_for(endpoint)  # recorded while the creator could read attempts
    lose_it(creator)

    attempt = start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="a@example.com")
    submit_attempt(attempt_id=attempt.pk, selections={})
    assert service.record_event(event=webhooks.ATTEMPT_SUBMITTED, object_id=attempt.pk) == 0
    delivering.deliver_due()

    assert webhook_receiver.requests == []
    queued.refresh_from_db()
    assert queued.state == WebhookDelivery.State.QUEUED and queued.tries == 0


def test_an_endpoint_whose_creator_may_read_attempts_gets_its_events(
    webhook_receiver, quiz_with_invite
):
    quiz, _invite = quiz_with_invite
    endpoint = service.create_webhook_endpoint(
        user=_recruiter("stayer"), url=webhook_receiver.url, secret=SECRET, events=webhooks.EVENTS
    )
    attempt = start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="a@example.com")
    submit_attempt(attempt_id=attempt.pk, selections={})
    assert service.record_event(event=webhooks.ATTEMPT_SUBMITTED, object_id=attempt.pk) == 1
    delivering.deliver_due()
    (request,) = webhook_receiver.wait_for(1)
    assert json.loads(request.body)["data"]["candidate_email"] == "a@example.com"
    assert WebhookDelivery.objects.get().endpoint == endpoint


# --- the address rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "2002:a00:1::1",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert not webhooks.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_allowed(address):
    assert webhooks.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[::ffff:169.254.169.254]/latest/meta-data",
        "https://10.0.0.5:8443/hook",
    ],
)
def test_a_private_address_url_is_refused_when_the_endpoint_is_created(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(ValidationError) as error:
        service.create_webhook_endpoint(
            user=None, url=url, secret="", events=[webhooks.ATTEMPT_SUBMITTED]
        )
    assert "not a public address" in str(error.value.message_dict["url"])
    assert not WebhookEndpoint.objects.exists()


def test_a_name_with_one_private_address_among_public_ones_is_refused():
    def resolver(host, port):
        return ["93.184.215.14", "10.0.0.7"]

    with pytest.raises(webhooks.UnsafeURL, match=r"10\.0\.0\.7"):
        webhooks.resolve_target(
            "https://ats.example.com/hook",
            allow_private=False,
            require_https=True,
            resolver=resolver,
        )
    target = webhooks.resolve_target(
        "https://ats.example.com/hook",
        allow_private=False,
        require_https=True,
        resolver=lambda host, port: ["93.184.215.14"],
    )
    assert (target.host, target.port, target.address) == ("ats.example.com", 443, "93.184.215.14")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://ats.example.com/hook", "only http and https"),
        ("http://93.184.215.14/hook", "must use https"),
        ("https://user:pw@93.184.215.14/hook", "user name or password"),
        ("https:///hook", "no host"),
    ],
)
def test_only_https_urls_without_credentials_are_accepted(url, reason, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.DEBUG = False
    with pytest.raises(ValidationError, match=re.escape(reason)):
        service.create_webhook_endpoint(
            user=None, url=url, secret="", events=[webhooks.ATTEMPT_SUBMITTED]
        )


def test_unknown_or_no_events_are_refused(webhook_receiver):
    for events in ([], ["attempt.deleted"], ["ping"]):
        with pytest.raises(ValidationError) as error:
            service.create_webhook_endpoint(
                user=None, url=webhook_receiver.url, secret="", events=events
            )
        assert set(error.value.message_dict) == {"events"}


def test_an_endpoint_without_a_secret_gets_one(webhook_receiver):
    endpoint = service.create_webhook_endpoint(
        user=None, url=webhook_receiver.url, secret="  ", events=[webhooks.INVITE_USED]
    )
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.events == [webhooks.INVITE_USED]


def test_a_url_that_turned_private_is_refused_at_delivery(webhook_receiver, settings):
    delivery = delivery_for(endpoint_for(webhook_receiver))
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.DEBUG = True  # plain http is fine: the address is what is refused
    delivering.deliver_due()
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert "Refused" in attempt.error and "127.0.0.1" in attempt.error
    assert webhook_receiver.requests == []


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    webhook_receiver, monkeypatch
):
    looked_up = []

    def resolver(host, port):
        looked_up.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(webhooks, "system_resolver", resolver)
    url = f"http://receiver.invalid:{webhook_receiver.port}/hooks/quizsite"
    delivery_for(endpoint_for(webhook_receiver, url=url))
    delivering.deliver_due()
    (request,) = webhook_receiver.wait_for(1)
    assert request.headers["Host"] == f"receiver.invalid:{webhook_receiver.port}"
    # Once when the endpoint was saved, once before the try; never by the HTTP client.
    assert looked_up == ["receiver.invalid", "receiver.invalid"]


def _self_signed(tmp_path, name: str) -> tuple[str, str]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}"),
            *("-addext", f"subjectAltName=DNS:{name}"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return str(cert), str(key)


@pytest.mark.parametrize(
    ("name", "delivered"), [("receiver.invalid", True), ("impostor.invalid", False)]
)
def test_https_to_the_checked_address_verifies_the_certificate_of_the_name(
    tmp_path, monkeypatch, name, delivered
):
    cert, key = _self_signed(tmp_path, "receiver.invalid")
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    receiver = Receiver(tls=server_side)
    receiver.start()
    try:
        monkeypatch.setattr(delivering, "TLS_VERIFY", ssl.create_default_context(cafile=cert))
        monkeypatch.setattr(webhooks, "system_resolver", lambda host, port: ["127.0.0.1"])
        url = f"https://{name}:{receiver.port}/hooks/quizsite"
        delivery = delivery_for(endpoint_for(receiver, url=url))
        delivering.deliver_due()
        attempt = delivery.attempts.get()
        if delivered:
            # The certificate names receiver.invalid only, not 127.0.0.1: the name was checked.
            (request,) = receiver.wait_for(1)
            assert request.headers["Host"] == f"receiver.invalid:{receiver.port}"
            assert attempt.status_code == 200
        else:
            assert attempt.status_code is None and "CERTIFICATE_VERIFY_FAILED" in attempt.error
            assert receiver.requests == []
    finally:
        receiver.stop()


# --- events --------------------------------------------------------------------------------


def test_recording_an_event_twice_writes_one_delivery_per_endpoint(
    webhook_receiver, quiz_with_invite
):
    quiz, _invite = quiz_with_invite
    first = endpoint_for(webhook_receiver, events=[webhooks.ATTEMPT_SUBMITTED])
    endpoint_for(webhook_receiver, events=[webhooks.INVITE_USED])  # not subscribed
    attempt = start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="a@example.com")
    submit_attempt(attempt_id=attempt.pk, selections={})

    assert service.record_event(event=webhooks.ATTEMPT_SUBMITTED, object_id=attempt.pk) == 1
    assert service.record_event(event=webhooks.ATTEMPT_SUBMITTED, object_id=attempt.pk) == 0
    tasks.record_webhook_event.call_local(webhooks.ATTEMPT_SUBMITTED, attempt.pk)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.object_id) == (first, str(attempt.pk))


def test_a_queue_that_is_down_does_not_fail_the_candidates_requests(
    client, quiz_with_invite, monkeypatch, django_capture_on_commit_callbacks
):
    _quiz, invite = quiz_with_invite

    def broken(*args):
        raise ConnectionError("redis is restarting")

    monkeypatch.setattr(tasks, "record_webhook_event", broken)
    monkeypatch.setattr(tasks, "attempt_finished", broken)  # the submit's one task
    client.get(invite.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("quizzes:invite_start"), {}, follow=True)
    assert response.status_code == 200 and callbacks
    attempt = Attempt.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_a_candidate_takes_the_quiz_and_the_receiver_gets_signed_events(webhook_receiver, settings):
    settings.SITE_URL = "https://quiz.example.com"
    quiz = make_quiz(title="Вебхуки", access="invite", review_after_attempt="full")
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Анна Иванова", candidate_email="anna@example.com"
    )
    endpoint_for(webhook_receiver, events=[webhooks.ATTEMPT_SUBMITTED, webhooks.INVITE_USED])
    from django.test import Client

    client = Client()
    client.get(invite.get_absolute_url())
    client.post(reverse("quizzes:invite_start"), {}, follow=True)
    (used,) = webhook_receiver.wait_for(1)
    attempt = Attempt.objects.get()
    assert used.headers["X-Quizsite-Event"] == "invite.used"
    used_body = json.loads(used.body)
    assert used_body["data"]["id"] == invite.pk and used_body["data"]["uses"] == 1
    assert used_body["data"]["attempt"]["public_id"] == str(attempt.public_id)

    webhook_receiver.answer("error")  # the submitted event is refused once
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    assert response.status_code == 302
    used, refused = webhook_receiver.wait_for(2)
    delivery = WebhookDelivery.objects.get(event="attempt.submitted")
    assert delivery.state == WebhookDelivery.State.QUEUED
    delivering.deliver_due(now=delivery.next_try_at)
    used, refused, submitted = webhook_receiver.wait_for(3)

    verify = readme_verify()
    assert verify(endpoint_secret(), submitted.body, submitted.headers["X-Quizsite-Signature"])
    assert submitted.headers["X-Quizsite-Delivery"] == refused.headers["X-Quizsite-Delivery"]
    assert submitted.headers["X-Quizsite-Event"] == "attempt.submitted"
    body = json.loads(submitted.body)
    assert body["event"] == "attempt.submitted"
    assert body["id"] == submitted.headers["X-Quizsite-Delivery"]
    data = body["data"]
    assert data == {
        "id": attempt.pk,
        "public_id": str(attempt.public_id),
        "invite_id": invite.pk,
        "quiz": quiz.slug,
        "candidate_name": "Анна Иванова",
        "candidate_email": "anna@example.com",
        "state": "submitted",
        "started_at": data["started_at"],
        "submitted_at": data["submitted_at"],
        "score": 3.0,
        "max_score": 3.0,
        "percent": 100.0,
        "hiring_status": "new",
        "url": f"https://quiz.example.com/review/attempt/{attempt.public_id}/",
    }
    assert data["submitted_at"] is not None


def endpoint_secret() -> str:
    return WebhookEndpoint.objects.get().secret


@pytest.mark.django_db(transaction=True)
def test_time_up_closure_by_the_periodic_task_sends_attempt_closed(webhook_receiver, settings):
    settings.SITE_URL = "https://quiz.example.com"
    quiz = make_quiz(title="На время", time_limit=timedelta(minutes=5))
    endpoint_for(webhook_receiver, events=[webhooks.ATTEMPT_CLOSED, webhooks.ATTEMPT_SUBMITTED])
    attempt = start_attempt(quiz=quiz, candidate_name="Борис", candidate_email="b@example.com")

    tasks.every_minute.call_local()
    assert webhook_receiver.requests == []  # still time left
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        tasks.every_minute.call_local()

    (request,) = webhook_receiver.wait_for(1)
    assert request.headers["X-Quizsite-Event"] == "attempt.closed"
    data = json.loads(request.body)["data"]
    assert (data["id"], data["state"]) == (attempt.pk, "closed")
    assert data["url"] == f"https://quiz.example.com/review/attempt/{attempt.public_id}/"
    assert WebhookDelivery.objects.get().event == "attempt.closed"


def test_invite_expired_is_sent_once_per_invite(webhook_receiver, quiz_with_invite):
    quiz, _ = quiz_with_invite
    now = timezone.now()
    Invite.objects.create(quiz=quiz, candidate_email="old@example.com", expires_at=now)
    endpoint = endpoint_for(webhook_receiver, events=[webhooks.INVITE_EXPIRED])
    soon = Invite.objects.create(
        quiz=quiz,
        candidate_name="Вера",
        candidate_email="vera@example.com",
        expires_at=now + timedelta(minutes=5),
    )
    Invite.objects.create(
        quiz=quiz, candidate_email="later@example.com", expires_at=now + timedelta(days=5)
    )

    assert service.record_invite_expirations(now=now + timedelta(minutes=1)) == 0
    assert service.record_invite_expirations(now=now + timedelta(minutes=6)) == 1
    assert service.record_invite_expirations(now=now + timedelta(minutes=7)) == 0
    # A run that lost the race (an old mark) writes nothing again either.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(invites_checked_until=now)
    assert service.record_invite_expirations(now=now + timedelta(minutes=8)) == 0

    delivering.deliver_due(now=now + timedelta(minutes=8))
    (request,) = webhook_receiver.wait_for(1)
    assert request.headers["X-Quizsite-Event"] == "invite.expired"
    data = json.loads(request.body)["data"]
    assert data["id"] == soon.pk and data["candidate_email"] == "vera@example.com"
    assert data["expires_at"] == soon.expires_at.isoformat()
    assert data["uses"] == 0


# --- admin ---------------------------------------------------------------------------------


@pytest.fixture
def recruiter_client(client):
    from django.contrib.auth.models import Group

    user = User.objects.create_user("rita", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_recruiter_adds_an_endpoint_and_sees_its_generated_secret_once(
    recruiter_client, webhook_receiver
):
    response = recruiter_client.post(
        reverse("admin:quizzes_webhookendpoint_add"),
        {
            "url": webhook_receiver.url,
            "events": ["attempt.submitted", "invite.expired"],
            "active": "on",
            "new_secret": "",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["attempt.submitted", "invite.expired"]
    assert endpoint.created_by.username == "rita"
    assert response.status_code == 200
    assert f'value="{endpoint.secret}"' in response.content.decode()
    # Shown on the answer itself: not carried in a cookie to another page.
    assert all(endpoint.secret not in cookie.value for cookie in response.cookies.values())
    assert endpoint.secret not in recruiter_client.get(reverse("admin:index")).content.decode()

    page = recruiter_client.get(
        reverse("admin:quizzes_webhookendpoint_change", args=[endpoint.pk])
    ).content.decode()
    assert endpoint.secret not in page and endpoint.secret[-4:] in page
    assert 'type="checkbox" name="events" value="attempt.closed"' in page
    assert f"/admin/quizzes/webhookdelivery/?endpoint__id__exact={endpoint.pk}" in page


def test_the_admin_refuses_a_private_url(recruiter_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = recruiter_client.post(
        reverse("admin:quizzes_webhookendpoint_add"),
        {"url": "https://169.254.169.254/", "events": ["attempt.submitted"], "active": "on"},
    )
    assert response.status_code == 200
    assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_delivery_page_lists_every_try(recruiter_client, webhook_receiver):
    webhook_receiver.answer("error")
    delivery = delivery_for(endpoint_for(webhook_receiver))
    delivering.deliver_due()
    delivering.deliver_due(now=timezone.now() + timedelta(minutes=2))
    page = recruiter_client.get(
        reverse("admin:quizzes_webhookdelivery_change", args=[delivery.pk])
    ).content.decode()
    assert page.count("receiver says no") == 1 and ">500<" in page and ">200<" in page
    assert str(delivery.delivery_id) in page


def test_a_recruiter_saving_a_leavers_endpoint_takes_it_over(recruiter_client, webhook_receiver):
    leaver = _recruiter("leaver")
    endpoint = service.create_webhook_endpoint(
        user=leaver, url=webhook_receiver.url, secret=SECRET, events=webhooks.EVENTS
    )
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    delivery_for(endpoint)
    delivering.deliver_due()
    assert webhook_receiver.requests == []

    response = recruiter_client.post(
        reverse("admin:quizzes_webhookendpoint_change", args=[endpoint.pk]),
        {"url": endpoint.url, "events": list(webhooks.EVENTS), "active": "on", "new_secret": ""},
    )
    assert response.status_code == 302, response.content[:500]
    endpoint.refresh_from_db()
    assert endpoint.created_by.username == "rita" and endpoint.secret == SECRET
    delivering.deliver_due()
    assert len(webhook_receiver.wait_for(1)) == 1


def test_saving_an_endpoint_whose_owner_may_still_receive_keeps_its_owner(
    recruiter_client, webhook_receiver
):
    owner = _recruiter("owner")
    endpoint = service.create_webhook_endpoint(
        user=owner, url=webhook_receiver.url, secret=SECRET, events=webhooks.EVENTS
    )
    recruiter_client.post(
        reverse("admin:quizzes_webhookendpoint_change", args=[endpoint.pk]),
        {"url": endpoint.url, "events": [webhooks.ATTEMPT_SUBMITTED], "active": "on"},
    )
    endpoint.refresh_from_db()
    assert endpoint.created_by == owner and endpoint.events == [webhooks.ATTEMPT_SUBMITTED]


# --- one task per finished attempt ---------------------------------------------------------


def finish_queued(client, queued_tasks) -> Attempt:
    """Start and submit through the pages with the queue held; the start's work is run."""
    quiz = make_quiz(title="Вебхуки", access="public")
    started = client.post(
        reverse("quizzes:quiz_detail", args=[quiz.slug]),
        {"candidate_name": "Анна", "candidate_email": "anna@example.com"},
    )
    attempt = Attempt.objects.get(public_id=started["Location"].split("/")[2])
    queued_tasks()
    client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    return attempt


# Committed for real: the queued work runs after the commit, and a task closes its connection.
@pytest.mark.django_db(transaction=True)
def test_a_submit_queues_one_task_that_tells_recruiters_and_webhooks(
    client, webhook_receiver, queued_tasks
):
    from huey.contrib.djhuey import HUEY

    from tests.test_notifications import recruiter

    recruiter("rita")
    endpoint_for(webhook_receiver, events=[webhooks.ATTEMPT_SUBMITTED])
    attempt = finish_queued(client, queued_tasks)

    assert HUEY.pending_count() == 1  # the submit's one task; the email's delivery follows it
    queued_tasks()
    (request,) = webhook_receiver.wait_for(1)
    assert json.loads(request.body)["event"] == webhooks.ATTEMPT_SUBMITTED
    assert json.loads(request.body)["data"]["id"] == attempt.pk
    (email,) = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.NOTIFICATION)
    assert email.to == "rita@corp.example"


@pytest.mark.django_db(transaction=True)
def test_a_failing_notification_does_not_lose_the_webhook_event(
    client, webhook_receiver, queued_tasks, monkeypatch, caplog
):
    def broken(**kwargs):
        raise ConnectionError("the mail table is locked")

    monkeypatch.setattr(tasks.notifications, "announce_finished", broken)
    endpoint_for(webhook_receiver, events=[webhooks.ATTEMPT_SUBMITTED])
    finish_queued(client, queued_tasks)

    assert queued_tasks() == 1
    (request,) = webhook_receiver.wait_for(1)
    assert json.loads(request.body)["event"] == webhooks.ATTEMPT_SUBMITTED
    assert "Task step notify recruiters failed" in caplog.text
