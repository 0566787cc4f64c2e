"""POST and GET /api/v1/webhooks, and the integration end to end through the API.

An applicant-tracking system registers its endpoint and creates an invite with a token; the
candidate takes the quiz on the site; the receiver (a real HTTP server) gets a signed
attempt.submitted, refuses it once and gets the same delivery again.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, WebhookDelivery, WebhookEndpoint
from quizzes.services import webhook_delivery
from tests.api.conftest import ApiClient, make_role_user, token_for
from tests.builders import ALL_RIGHT, answer_post, make_quiz
from tests.test_webhooks import readme_verify


def test_an_endpoint_is_created_with_a_generated_secret_shown_once(api, webhook_receiver):
    response = api.post("/webhooks", {"url": webhook_receiver.url, "events": ["attempt.submitted"]})
    assert response.status_code == 201, response.content
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["id"] == endpoint.pk and body["url"] == webhook_receiver.url
    assert body["events"] == ["attempt.submitted"] and body["active"] is True
    assert body["secret"] == endpoint.secret and endpoint.secret.startswith("whsec_")

    listing = api.get("/webhooks")
    assert listing.status_code == 200
    (listed,) = listing.json()["webhooks"]
    assert listed["id"] == endpoint.pk and "secret" not in listed
    assert endpoint.secret not in listing.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.7/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.com/hook",
    ],
)
def test_a_url_that_reaches_a_private_address_is_refused_with_a_problem(api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = api.post("/webhooks", {"url": url, "events": ["attempt.submitted"]})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["field"] == "url"
    assert WebhookEndpoint.objects.count() == 0


def test_active_endpoints_are_capped_so_one_event_cannot_fan_out_without_bound(
    api, webhook_receiver, settings
):
    settings.WEBHOOK_MAX_ENDPOINTS = 2
    body = {"url": webhook_receiver.url, "events": ["attempt.submitted"]}
    assert [api.post("/webhooks", body).status_code for _ in range(2)] == [201, 201]

    refused = api.post("/webhooks", body)

    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:quizsite:problem:too-many-endpoints"
    assert "2 active webhook endpoints" in refused.json()["detail"]
    assert WebhookEndpoint.objects.count() == 2
    WebhookEndpoint.objects.filter(pk=WebhookEndpoint.objects.first().pk).update(active=False)
    assert api.post("/webhooks", body).status_code == 201


def test_the_admin_counts_adding_and_turning_on_against_the_cap(
    client, db, webhook_receiver, settings
):
    settings.WEBHOOK_MAX_ENDPOINTS = 1
    client.force_login(make_role_user("superuser"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {"url": webhook_receiver.url, "events": ["attempt.submitted"], "new_secret": "s"}
    add = reverse("admin:quizzes_webhookendpoint_add")
    assert client.post(add, {**form, "active": "on"}).status_code == 302
    refused = client.post(add, {**form, "active": "on"})
    assert refused.status_code == 200
    assert "1 active webhook endpoints, the most allowed" in refused.content.decode()
    assert client.post(add, form).status_code == 302  # added switched off
    off = WebhookEndpoint.objects.get(active=False)
    change = reverse("admin:quizzes_webhookendpoint_change", args=[off.pk])
    assert client.post(change, {**form, "active": "on"}).status_code == 200  # cannot turn on
    on = WebhookEndpoint.objects.get(active=True)
    edit = reverse("admin:quizzes_webhookendpoint_change", args=[on.pk])
    assert client.post(edit, {**form, "active": "on"}).status_code == 302  # editing is fine
    assert WebhookEndpoint.objects.filter(active=True).count() == 1


def test_unknown_events_are_refused_by_the_schema(api, webhook_receiver):
    response = api.post("/webhooks", {"url": webhook_receiver.url, "events": ["attempt.won"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("events")
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_ats_integrates_through_the_api_and_gets_a_signed_redelivered_result(
    webhook_receiver, settings
):
    settings.SITE_URL = "https://quiz.example.com"
    quiz = make_quiz(title="Интеграция", access="invite", review_after_attempt="full")
    ats = ApiClient(Client(), token_for(make_role_user("superuser")))

    hook = ats.post("/webhooks", {"url": webhook_receiver.url, "events": ["attempt.submitted"]})
    assert hook.status_code == 201, hook.content
    secret = hook.json()["secret"]
    invite = ats.post(
        "/invites",
        {"quiz": quiz.slug, "name": "Анна Иванова", "email": "anna@example.com"},
        headers={"Idempotency-Key": "ats-8812"},
    )
    assert invite.status_code == 201, invite.content
    link = invite.json()["url"]

    candidate = Client()
    assert candidate.get(link).status_code == 302
    assert candidate.post(reverse("quizzes:invite_start"), {}).status_code == 302
    attempt = Attempt.objects.get()
    webhook_receiver.answer("error")  # the receiver is down for the first try
    response = candidate.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    assert response.status_code == 302

    (refused,) = webhook_receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.QUEUED and delivery.tries == 1
    webhook_delivery.deliver_due(now=delivery.next_try_at)
    refused, delivered = webhook_receiver.wait_for(2)

    verify = readme_verify()
    assert verify(secret, delivered.body, delivered.headers["X-Quizsite-Signature"])
    assert not verify("another secret", delivered.body, delivered.headers["X-Quizsite-Signature"])
    assert delivered.headers["X-Quizsite-Delivery"] == refused.headers["X-Quizsite-Delivery"]
    body = json.loads(delivered.body)
    assert body["event"] == "attempt.submitted"
    assert body["data"]["invite_id"] == invite.json()["id"]
    assert body["data"]["candidate_email"] == "anna@example.com"
    assert body["data"]["percent"] == 100.0
    # The ATS reads the result back with the same token.
    result = ats.get(f"/attempts/{body['data']['id']}")
    assert result.status_code == 200 and result.json()["state"] == "submitted"
