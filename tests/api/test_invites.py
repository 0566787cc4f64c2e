"""POST /api/v1/invites and /invites/bulk, GET /invites/{id}: the admin's rules, idempotency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.models import IdempotencyKey, Invite, OutboundEmail, Quiz
from tests.api.conftest import ApiClient, make_role_user, token_for
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(db) -> Quiz:
    return make_quiz(title="Python-разработчик", access=Quiz.Access.INVITE)


def test_an_invite_is_personal_and_its_link_opens_the_quiz(api, client, quiz, superuser):
    expires = timezone.now() + timedelta(days=7)
    response = api.post(
        "/invites",
        {
            "quiz": quiz.slug,
            "name": " Анна Иванова ",
            "email": "anna@example.com",
            "expires_at": expires.isoformat(),
            "max_uses": 2,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    invite = Invite.objects.get(pk=body["id"])
    assert (invite.kind, invite.candidate_name, invite.candidate_email) == (
        Invite.Kind.PERSONAL,
        "Анна Иванова",
        "anna@example.com",
    )
    assert (invite.max_uses, invite.created_by, invite.expires_at) == (2, superuser, expires)
    assert body["url"] == f"http://testserver/invite/{invite.token}/"
    assert body["status"] == "active" and body["quiz"] == quiz.slug
    page = client.get(body["url"].removeprefix("http://testserver"), follow=True)
    assert page.status_code == 200 and "Python-разработчик" in page.content.decode()
    # Read back the same.
    assert api.get(f"/invites/{invite.pk}").json() == body


def test_invite_status_follows_the_invite(api, quiz):
    invite = Invite.objects.create(
        quiz=quiz, candidate_email="a@example.com", expires_at=timezone.now() - timedelta(1)
    )
    assert api.get(f"/invites/{invite.pk}").json()["status"] == "expired"
    Invite.objects.filter(pk=invite.pk).update(expires_at=None, uses=1)
    assert api.get(f"/invites/{invite.pk}").json()["status"] == "used_up"
    assert api.get("/invites/999999").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quiz": "no-such-quiz"}, "quiz", "No quiz with the slug “no-such-quiz”."),
        ({"email": "not-an-email"}, "email", "not a valid email address"),
        ({"email": ""}, "email", "not a valid email address"),
        ({"name": "   "}, "name", "must not be empty"),
        ({"max_uses": 0}, "max_uses", "greater than or equal to 1"),
        ({"language": "de"}, "language", "'ru' or 'en'"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at", "The expiry date is in the past."),
        ({"expires_at": "tomorrow"}, "expires_at", "datetime"),
    ],
)
def test_invalid_invites_are_refused_field_by_field(api, quiz, change, field, message):
    body = {"quiz": quiz.slug, "name": "Анна", "email": "anna@example.com", **change}
    response = api.post("/invites", body)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:quizsite:problem:validation" and problem["status"] == 422
    (error,) = problem["errors"]
    assert error["field"] == field and message in error["message"], error
    assert not Invite.objects.exists()


def test_a_missing_field_and_a_body_that_is_not_json_are_named(api, quiz):
    response = api.post("/invites", {"quiz": quiz.slug, "name": "Анна"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "email", "message": "Field required"}]
    raw = api.client.post(
        "/api/v1/invites",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert raw.status_code == 400 and raw["Content-Type"] == "application/problem+json"
    assert raw.json()["status"] == 400


def test_a_retry_with_the_same_idempotency_key_returns_the_same_invite(api, quiz):
    body = {"quiz": quiz.slug, "name": "Анна", "email": "anna@example.com"}
    first = api.post("/invites", body, headers={"Idempotency-Key": "ats-42"})
    again = api.post("/invites", body, headers={"Idempotency-Key": "ats-42"})

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"
    assert Invite.objects.count() == 1
    # Without a key every request is new; a new key is a new invite.
    assert api.post("/invites", body).json()["id"] != first.json()["id"]
    assert api.post("/invites", body, headers={"Idempotency-Key": "ats-43"}).status_code == 201
    assert Invite.objects.count() == 3


def test_an_expiry_sent_with_an_offset_reads_the_same_in_every_answer(api, quiz):
    # An ATS compares the replayed answer, and the invite read back, with the first one.
    body = {
        "quiz": quiz.slug,
        "name": "Анна",
        "email": "anna@example.com",
        "expires_at": "2030-01-31T18:00:00+03:00",
    }
    first = api.post("/invites", body, headers={"Idempotency-Key": "ats-44"}).json()
    again = api.post("/invites", body, headers={"Idempotency-Key": "ats-44"}).json()
    read = api.get(f"/invites/{first['id']}").json()

    assert first["expires_at"] == again["expires_at"] == read["expires_at"]
    assert first == again == read
    assert first["expires_at"].startswith("2030-01-31T15:00:00")


def test_an_idempotency_key_reused_with_another_body_is_refused(api, quiz):
    body = {"quiz": quiz.slug, "name": "Анна", "email": "anna@example.com"}
    api.post("/invites", body, headers={"Idempotency-Key": "ats-42"})
    response = api.post(
        "/invites", {**body, "email": "boris@example.com"}, headers={"Idempotency-Key": "ats-42"}
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:quizsite:problem:idempotency-key-reused"
    assert list(Invite.objects.values_list("candidate_email", flat=True)) == ["anna@example.com"]


def test_idempotency_keys_belong_to_their_token(client, quiz, superuser):
    body = {"quiz": quiz.slug, "name": "Анна", "email": "anna@example.com"}
    one = ApiClient(client, token_for(superuser))
    other = ApiClient(client, token_for(superuser))
    first = one.post("/invites", body, headers={"Idempotency-Key": "k"}).json()
    second = other.post("/invites", body, headers={"Idempotency-Key": "k"}).json()
    assert first["id"] != second["id"]


def test_a_refused_request_does_not_use_up_its_idempotency_key(api, quiz):
    body = {"quiz": quiz.slug, "name": "Анна", "email": "anna@example.com"}
    refused = api.post("/invites", {**body, "quiz": "missing"}, headers={"Idempotency-Key": "k"})
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert api.post("/invites", body, headers={"Idempotency-Key": "k"}).status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_idempotency_key_create_one_invite(live_server):
    import httpx

    quiz = make_quiz(title="Гонка", access=Quiz.Access.INVITE)
    token = token_for(make_role_user("superuser"))
    body = {"quiz": quiz.slug, "name": "Анна", "email": "anna@example.com"}
    barrier = threading.Barrier(4)
    results: list[tuple[int, dict]] = []

    def post() -> None:
        with httpx.Client(base_url=live_server.url, timeout=20) as http:
            barrier.wait()
            response = http.post(
                "/api/v1/invites",
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race"},
            )
            results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in results] == [201] * 4, results
    assert len({body["id"] for _, body in results}) == 1
    assert Invite.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def _bulk(count: int, quiz: Quiz, **options) -> dict:
    candidates = [{"name": f"Кандидат {n}", "email": f"c{n}@example.com"} for n in range(count)]
    return {"quiz": quiz.slug, "candidates": candidates, **options}


def test_bulk_creates_every_invite_in_order(api, quiz):
    response = api.post("/invites/bulk", _bulk(3, quiz, max_uses=3))

    assert response.status_code == 201, response.content
    invites = response.json()["invites"]
    assert [invite["email"] for invite in invites] == [f"c{n}@example.com" for n in range(3)]
    stored = Invite.objects.in_bulk([invite["id"] for invite in invites])
    assert all(stored[invite["id"]].max_uses == 3 for invite in invites)
    assert len({invite["url"] for invite in invites}) == 3


def test_bulk_takes_at_most_a_thousand(api, quiz):
    assert api.post("/invites/bulk", _bulk(1000, quiz)).status_code == 201
    response = api.post("/invites/bulk", _bulk(1001, quiz))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "candidates"
    assert Invite.objects.count() == 1000


def test_bulk_is_all_or_nothing(api, quiz):
    body = _bulk(3, quiz)
    body["candidates"][2]["email"] = "c0@EXAMPLE.com"
    response = api.post("/invites/bulk", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "candidates.2.email", "message": "c0@EXAMPLE.com is listed twice."}
    ]
    body["candidates"][2]["email"] = "broken"
    assert api.post("/invites/bulk", body).json()["errors"][0]["field"] == "candidates.2.email"
    assert not Invite.objects.exists()


def test_bulk_is_idempotent_too(api, quiz):
    body = _bulk(5, quiz)
    first = api.post("/invites/bulk", body, headers={"Idempotency-Key": "b"})
    again = api.post("/invites/bulk", body, headers={"Idempotency-Key": "b"})
    assert first.json() == again.json() and Invite.objects.count() == 5


def _queries(api: ApiClient, path: str, body: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.post(path, body)
    assert response.status_code == 201, response.content
    return len(queries)


def _insert_batches(model, count: int) -> int:
    """The INSERTs bulk_create needs for `count` rows: one on PostgreSQL; SQLite allows only
    999 parameters per statement, so there it is one per 999 // columns rows."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    size = connection.ops.bulk_batch_size(fields, [None] * count)
    return -(-count // size)


def test_bulk_query_count_does_not_grow_with_the_number_of_invites(api, quiz):
    api.get("/quizzes")  # the token's first use writes last_used_at
    one = _queries(api, "/invites/bulk", _bulk(1, quiz))
    many = _queries(api, "/invites/bulk", _bulk(300, quiz))
    assert many - one == _insert_batches(Invite, 300) - 1
    keyed_one = _idempotent_queries(api, _bulk(1, quiz), "one")
    keyed_many = _idempotent_queries(api, _bulk(300, quiz), "many")
    through = IdempotencyKey.invites.through
    extra = _insert_batches(Invite, 300) - 1 + _insert_batches(through, 300) - 1
    assert keyed_many - keyed_one == extra
    if connection.vendor == "postgresql":
        assert many == one and keyed_many == keyed_one


def _idempotent_queries(api: ApiClient, body: dict, key: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/invites/bulk", body, headers={"Idempotency-Key": key})
    assert response.status_code == 201
    return len(queries)


def test_send_email_queues_each_candidate_their_link(api, quiz, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post("/invites/bulk", _bulk(2, quiz, send_email=True, language="en"))
    invites = response.json()["invites"]
    emails = OutboundEmail.objects.order_by("to")
    assert [email.to for email in emails] == ["c0@example.com", "c1@example.com"]
    for email, invite in zip(emails, invites, strict=True):
        assert email.kind == OutboundEmail.Kind.INVITATION and email.invite_id == invite["id"]
        assert email.subject == "Invitation to the test “Python-разработчик”"
        stored = Invite.objects.get(pk=invite["id"])
        assert f"/invite/{stored.token}/" in email.body_text
        # The same invitation as the admin sends: HTML too, in the invite's language.
        assert stored.language == "en" and f"/invite/{stored.token}/" in email.body_html
    # Without the flag, nothing is emailed; Russian is the default language.
    api.post("/invites", {"quiz": quiz.slug, "name": "Б", "email": "b@example.com"})
    assert OutboundEmail.objects.count() == 2
    api.post(
        "/invites", {"quiz": quiz.slug, "name": "В", "email": "v@example.com", "send_email": True}
    )
    assert OutboundEmail.objects.get(to="v@example.com").subject.startswith("Приглашение")
