"""Rate limits on the candidate endpoints: over the limit, a readable 429 and nothing stored."""

import pytest
from django.urls import reverse

from quizzes.models import Answer, Attempt
from tests.builders import ALL_RIGHT, answer_field, answer_post, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(db):
    # Every start makes a new attempt: the limit under test is the request rate, not the
    # attempts a candidate is allowed.
    return make_quiz(access="public", attempts_allowed=None)


@pytest.fixture
def low_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "start": "2/m", "submit": "2/m"}


def start_post(client, quiz, n, **headers):
    return client.post(
        quiz.get_absolute_url(),
        {"candidate_name": f"Кандидат {n}", "candidate_email": f"c{n}@example.com"},
        **headers,
    )


def test_starting_over_the_limit_gives_a_readable_429_and_no_attempt(client, quiz, low_limits):
    assert start_post(client, quiz, 1).status_code == 302
    assert start_post(client, quiz, 2).status_code == 302

    response = start_post(client, quiz, 3)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Слишком много запросов" in html
    assert "Ничего не сохранено" in html
    assert Attempt.objects.count() == 2


def test_the_429_page_speaks_english_on_request(client, quiz, low_limits):
    for n in range(2):
        start_post(client, quiz, n)
    response = start_post(client, quiz, 3, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many requests came from your address" in response.content.decode()


def test_reading_pages_is_not_limited(client, quiz, low_limits):
    for _ in range(5):
        assert client.get(quiz.get_absolute_url()).status_code == 200


def test_limits_are_per_client_address(client, quiz, low_limits):
    for n in range(2):
        start_post(client, quiz, n, REMOTE_ADDR="192.0.2.1")
    assert start_post(client, quiz, 3, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert start_post(client, quiz, 4, REMOTE_ADDR="192.0.2.2").status_code == 302


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(client, quiz, low_limits):
    for n in range(2):
        start_post(client, quiz, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = start_post(client, quiz, 3, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    client, quiz, low_limits, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(2):
        start_post(client, quiz, n, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert start_post(client, quiz, 3, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert start_post(client, quiz, 4, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302


def test_submitting_over_the_limit_gives_429_and_leaves_the_attempt_open(
    client, quiz, start, low_limits
):
    attempt = start(quiz)
    url = attempt.get_absolute_url()
    # Two refused (forged) submits use up the allowance...
    q1 = quiz.questions.get(position=1)
    for _ in range(2):
        assert client.post(url, {answer_field(attempt, q1.id): "forged"}).status_code == 400

    response = client.post(url, answer_post(attempt, ALL_RIGHT))

    assert response.status_code == 429
    assert "Слишком много запросов" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert client.get(url).status_code == 200


def test_default_limits_allow_a_normal_candidate(client, quiz, start):
    attempt = start(quiz)
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:result", args=[attempt.public_id])


def test_production_rates_are_configured_for_every_candidate_endpoint():
    from quizsite import settings as production_settings

    assert set(production_settings.RATE_LIMITS) >= {"start", "submit", "invite", "autosave"}
    assert all(production_settings.RATE_LIMITS.values())


def make_invite(quiz, **fields):
    from quizzes.models import Invite

    fields.setdefault("candidate_name", "Анна")
    fields.setdefault("candidate_email", "anna@example.com")
    return Invite.objects.create(quiz=quiz, **fields)


def test_guessing_invite_tokens_is_limited(client, settings):
    from tests.builders import make_quiz

    quiz = make_quiz(access="invite")
    invite = make_invite(quiz)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invite": "3/m"}
    for n in range(3):
        assert client.get(f"/invite/guess{n}/").status_code == 404
    # Even the right token is refused now: a guesser cannot tell a hit from the limit.
    response = client.get(invite.get_absolute_url())
    assert response.status_code == 429
    assert "Слишком много запросов" in response.content.decode()
    assert not Attempt.objects.exists()


def test_redeeming_invites_over_the_limit_starts_nothing(client, settings):
    from tests.builders import make_quiz

    quiz = make_quiz(access="invite")
    invite = make_invite(quiz, max_uses=10)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invite": "3/m"}
    # The honest path: the link, its start page, Start.
    assert client.get(invite.get_absolute_url()).status_code == 302
    assert client.get(reverse("quizzes:invite_start")).status_code == 200
    assert client.post(reverse("quizzes:invite_start"), {}).status_code == 302
    assert Attempt.objects.count() == 1
    other = make_invite(quiz, candidate_email="other@example.com")
    response = client.get(other.get_absolute_url())
    assert response.status_code == 429
    assert Attempt.objects.count() == 1


def test_autosaving_over_the_limit_answers_json_429_and_stores_nothing(
    client, quiz, start, settings
):
    attempt = start(quiz)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "autosave": "2/m"}
    url = reverse("quizzes:autosave", args=[attempt.public_id])
    q2 = quiz.questions.get(position=2)
    first_option, second_option = q2.options.all()[:2]
    first, second = (attempt.tokens.option(o.id) for o in (first_option, second_option))
    field = answer_field(attempt, q2.id)
    headers = {"HTTP_X_REQUESTED_WITH": "fetch"}
    assert client.post(url, {field: first, "seq": 1}, **headers).status_code == 200
    assert client.post(url, {field: first, "seq": 2}, **headers).status_code == 200

    response = client.post(url, {field: second, "seq": 3}, **headers)

    assert response.status_code == 429
    assert response.json() == {
        "error": "Слишком много запросов; ответы будут сохранены чуть позже."
    }
    attempt.refresh_from_db()
    assert attempt.save_seq == 2
    assert Answer.objects.get(attempt=attempt, question_id=q2.id).selected == [first_option.id]
    # The final submit has its own allowance: the candidate can still hand in.
    assert client.post(attempt.get_absolute_url(), {field: second}).status_code == 302


@pytest.mark.parametrize(
    ("value", "expected"), [("5/m", "5/m"), ("100/10m", "100/10m"), ("off", None), ("", None)]
)
def test_rates_come_from_the_environment(monkeypatch, value, expected):
    from quizsite.settings import env_rate

    monkeypatch.setenv("RATE_LIMIT_X", value)
    assert env_rate("RATE_LIMIT_X", "1/m") == expected


@pytest.mark.parametrize("value", ["5 per minute", "5/", "m/5", "5/w"])
def test_a_malformed_rate_stops_the_site_from_starting(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from quizsite.settings import env_rate

    monkeypatch.setenv("RATE_LIMIT_X", value)
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_X"):
        env_rate("RATE_LIMIT_X", "1/m")


def test_a_rate_switched_off_does_not_limit(client, quiz, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "start": None}
    for n in range(40):
        assert start_post(client, quiz, n).status_code == 302


def test_confirming_a_submit_over_the_limit_gives_429_and_leaves_the_attempt_open(
    client, quiz, start, low_limits
):
    attempt = start(quiz)
    confirm = reverse("quizzes:confirm_submit", args=[attempt.public_id])
    for _ in range(2):
        client.post(attempt.get_absolute_url(), {"action": "submit"})

    response = client.post(confirm)

    assert response.status_code == 429
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
