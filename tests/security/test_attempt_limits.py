"""Attempts allowed: one candidate, recognised by invite, email and browser together.

A new email in the same browser, the same email in a new browser and the same invite all
count as the same candidate; a recruiter's grant allows exactly one more attempt.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, AttemptGrant, Invite, Quiz
from quizzes.services.admission import (
    AttemptLimitReached,
    AttemptOpenElsewhere,
    grant_extra_attempt,
    start_public_attempt,
)
from quizzes.services.attempts import start_attempt, submit_attempt
from quizzes.services.invites import InviteUnavailable, redeem_invite
from tests.builders import ALL_RIGHT, answer_post, make_quiz

pytestmark = pytest.mark.django_db

LIMIT_TEXT = "Вы использовали все попытки"
ELSEWHERE_TEXT = "Продолжите в браузере, где начали"


def start_post(browser, quiz, email="anna@example.com", name="Анна"):
    return browser.post(quiz.get_absolute_url(), {"candidate_name": name, "candidate_email": email})


def take(browser, quiz, email="anna@example.com", name="Анна") -> Attempt:
    """Start from the quiz page and submit every right answer; returns the attempt."""
    response = start_post(browser, quiz, email, name)
    assert response.status_code == 302, response.content.decode()[:300]
    attempt = Attempt.objects.get(public_id=response["Location"].split("/")[2])
    finished = browser.post(response["Location"], answer_post(attempt, ALL_RIGHT))
    assert finished.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    return attempt


def refused(response, status, text):
    html = response.content.decode()
    assert response.status_code == status, html[:300]
    assert text in html, html[:1000]
    return html


# --- the default and the field -----------------------------------------------------------


def test_a_new_quiz_allows_one_attempt_per_candidate():
    quiz = Quiz.objects.create(title="Новый", slug="novyi")
    assert quiz.attempts_allowed == 1 and quiz.limits_attempts


@pytest.mark.parametrize("unlimited", [None, 0])
def test_empty_or_zero_means_unlimited(client, unlimited):
    quiz = make_quiz(access="public", attempts_allowed=unlimited)
    for _ in range(3):
        take(client, quiz)
    assert Attempt.objects.filter(quiz=quiz).count() == 3


def test_a_practice_quiz_is_unlimited_whatever_its_attempts_allowed_says(client):
    quiz = make_quiz(
        access="public",
        practice=True,
        review_after_attempt="full",
        review_after_close="full",
        attempts_allowed=1,
    )
    for _ in range(3):
        take(client, quiz)
    assert Attempt.objects.filter(quiz=quiz).count() == 3


# --- the public page ---------------------------------------------------------------------


def test_a_second_start_in_the_same_browser_is_refused_with_a_link_to_the_result(client):
    quiz = make_quiz(access="public")
    first = take(client, quiz)

    html = refused(start_post(client, quiz), 403, LIMIT_TEXT)

    assert reverse("quizzes:result", args=[first.public_id]) in html
    assert Attempt.objects.count() == 1


def test_a_new_email_in_the_same_browser_is_refused(client):
    quiz = make_quiz(access="public")
    first = take(client, quiz)

    html = refused(
        start_post(client, quiz, email="other@example.com", name="Другая"), 403, LIMIT_TEXT
    )

    assert reverse("quizzes:result", args=[first.public_id]) in html
    assert list(Attempt.objects.values_list("candidate_email", flat=True)) == ["anna@example.com"]


def test_the_same_email_in_a_new_browser_is_refused_without_the_other_browsers_result(client):
    quiz = make_quiz(access="public")
    first = take(client, quiz)

    html = refused(start_post(Client(), quiz, email="  ANNA@Example.COM "), 403, LIMIT_TEXT)

    assert str(first.public_id) not in html
    assert Attempt.objects.count() == 1


def test_the_limit_page_speaks_english_on_request(client):
    quiz = make_quiz(access="public")
    take(client, quiz)
    response = client.post(
        quiz.get_absolute_url(),
        {"candidate_name": "Анна", "candidate_email": "anna@example.com"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    refused(response, 403, "You have used all your attempts")


def test_two_attempts_allowed_means_exactly_two(client):
    quiz = make_quiz(access="public", attempts_allowed=2)
    take(client, quiz)
    take(Client(), quiz)  # the same email elsewhere: the second of two
    refused(start_post(client, quiz, email="third@example.com"), 403, LIMIT_TEXT)
    refused(start_post(Client(), quiz), 403, LIMIT_TEXT)
    assert Attempt.objects.count() == 2


def test_switching_email_then_browser_is_still_the_same_candidate(client):
    quiz = make_quiz(access="public", attempts_allowed=2)
    take(client, quiz)
    take(client, quiz, email="alias@example.com")  # the same browser: the second of two

    # A new browser with the first email: that email's browser made both attempts.
    refused(start_post(Client(), quiz), 403, LIMIT_TEXT)
    refused(start_post(Client(), quiz, email="ALIAS@example.com"), 403, LIMIT_TEXT)
    assert Attempt.objects.count() == 2


def test_starting_again_while_an_attempt_is_open_resumes_it(client):
    quiz = make_quiz(access="public")
    first = start_post(client, quiz)
    again = start_post(client, quiz, email="other@example.com")
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Attempt.objects.count() == 1


def test_an_open_attempt_in_another_browser_is_not_handed_out_by_email(client):
    quiz = make_quiz(access="public")
    opened = start_post(client, quiz)
    stranger = Client()

    html = refused(start_post(stranger, quiz), 409, ELSEWHERE_TEXT)

    assert opened["Location"] not in html
    assert "одноразов" in html  # the one-time code by email is not there yet, and says so
    assert Attempt.objects.count() == 1
    assert stranger.get(opened["Location"]).status_code == 404


def test_an_open_attempt_whose_time_is_up_counts_as_finished(client):
    quiz = make_quiz(access="public", attempts_allowed=2, time_limit=timedelta(minutes=5))
    start_post(client, quiz)
    Attempt.objects.update(deadline=timezone.now() - timedelta(minutes=5))

    response = start_post(Client(), quiz)

    assert response.status_code == 302
    states = sorted(Attempt.objects.values_list("state", flat=True))
    assert states == [Attempt.State.CLOSED, Attempt.State.IN_PROGRESS]


def test_a_browser_that_lost_its_session_is_still_recognised_by_its_id_cookie(client):
    quiz = make_quiz(access="public")
    take(client, quiz)
    client.cookies.pop("sessionid")

    refused(start_post(client, quiz, email="new@example.com"), 403, LIMIT_TEXT)

    assert Attempt.objects.count() == 1


def test_the_browser_id_cookie_is_http_only_and_same_site(client):
    quiz = make_quiz(access="public")
    client.get(quiz.get_absolute_url())
    cookie = client.cookies["quizzes_browser"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert len(cookie.value) == 43


def test_a_forged_browser_cookie_is_replaced(client):
    quiz = make_quiz(access="public")
    client.cookies["quizzes_browser"] = "<script>"
    client.get(quiz.get_absolute_url())
    assert client.cookies["quizzes_browser"].value != "<script>"


# --- invites -----------------------------------------------------------------------------


def personal(quiz, email="anna@example.com", **fields):
    return Invite.objects.create(quiz=quiz, candidate_name="Анна", candidate_email=email, **fields)


def test_the_same_personal_invite_does_not_start_a_second_attempt():
    quiz = make_quiz(access="invite")
    invite = personal(quiz, max_uses=5)
    first = redeem_invite(invite_id=invite.pk)
    submit_attempt(attempt_id=first.pk, selections={})

    with pytest.raises(AttemptLimitReached):
        redeem_invite(invite_id=invite.pk)

    invite.refresh_from_db()
    assert invite.uses == 1 and Attempt.objects.count() == 1


def test_a_second_personal_invite_with_the_same_email_does_not_start_another(client):
    quiz = make_quiz(access="invite")
    first = redeem_invite(invite_id=personal(quiz).pk)
    submit_attempt(attempt_id=first.pk, selections={})
    second = personal(quiz, email="Anna@Example.com")

    client.get(second.get_absolute_url())
    html = refused(client.post(reverse("quizzes:invite_start"), {}), 403, LIMIT_TEXT)

    assert "Повторите" not in html  # a page of ours, not a traceback
    assert Attempt.objects.count() == 1


def test_a_personal_invite_is_not_refused_for_the_previous_candidate_on_the_same_computer(
    client,
):
    quiz = make_quiz(access="invite")
    for email in ("anna@example.com", "boris@example.com"):
        invite = personal(quiz, email=email)
        client.get(invite.get_absolute_url())
        started = client.post(reverse("quizzes:invite_start"), {})
        assert started.status_code == 302
        attempt = Attempt.objects.get(public_id=started["Location"].split("/")[2])
        assert client.post(started["Location"], answer_post(attempt, ALL_RIGHT)).status_code == 302
    assert sorted(Attempt.objects.values_list("candidate_email", flat=True)) == [
        "anna@example.com",
        "boris@example.com",
    ]


# --- grants ------------------------------------------------------------------------------


def test_a_grant_allows_one_more_public_attempt_then_the_limit_holds(client, admin_user):
    quiz = make_quiz(access="public")
    first = take(client, quiz)
    refused(start_post(client, quiz), 403, LIMIT_TEXT)

    grant_extra_attempt(attempt=first, user=admin_user)

    second = take(Client(), quiz)  # the same email in another browser: the grant is theirs
    refused(start_post(client, quiz), 403, LIMIT_TEXT)
    refused(start_post(Client(), quiz), 403, LIMIT_TEXT)
    assert {first.pk, second.pk} == set(Attempt.objects.values_list("pk", flat=True))


def test_a_grant_on_a_personal_invite_adds_a_use_of_the_link(client, admin_user):
    quiz = make_quiz(access="invite")
    invite = personal(quiz)
    first = redeem_invite(invite_id=invite.pk)
    submit_attempt(attempt_id=first.pk, selections={})
    assert client.get(invite.get_absolute_url()).status_code == 410

    grant_extra_attempt(attempt=first, user=admin_user)

    assert client.get(invite.get_absolute_url())["Location"] == reverse("quizzes:invite_start")
    started = client.post(reverse("quizzes:invite_start"), {})
    second = Attempt.objects.exclude(pk=first.pk).get()
    assert started["Location"] == second.get_absolute_url()
    submit_attempt(attempt_id=second.pk, selections={})
    with pytest.raises(InviteUnavailable):
        redeem_invite(invite_id=invite.pk)
    invite.refresh_from_db()
    assert (invite.uses, invite.max_uses) == (2, 2)


def test_a_grant_on_a_multi_use_invite_is_still_needed_for_a_second_attempt(admin_user):
    quiz = make_quiz(access="invite")
    invite = personal(quiz, max_uses=3)
    first = redeem_invite(invite_id=invite.pk)
    submit_attempt(attempt_id=first.pk, selections={})
    with pytest.raises(AttemptLimitReached):
        redeem_invite(invite_id=invite.pk)

    grant_extra_attempt(attempt=first, user=admin_user)
    second = redeem_invite(invite_id=invite.pk)
    submit_attempt(attempt_id=second.pk, selections={})

    with pytest.raises(AttemptLimitReached):
        redeem_invite(invite_id=invite.pk)
    assert AttemptGrant.objects.get().granted_by == admin_user


def test_a_grant_is_refused_on_a_quiz_without_a_limit(admin_user):
    from quizzes.services.admission import GrantRefused

    quiz = make_quiz(access="public", attempts_allowed=None)
    attempt = start_attempt(quiz=quiz, candidate_name="А", candidate_email="a@example.com")
    with pytest.raises(GrantRefused):
        grant_extra_attempt(attempt=attempt, user=admin_user)
    assert not AttemptGrant.objects.exists()


def test_the_service_refuses_what_the_page_refuses():
    quiz = make_quiz(access="public")
    first = start_public_attempt(quiz=quiz, candidate_name="А", candidate_email="a@example.com")
    with pytest.raises(AttemptOpenElsewhere):
        start_public_attempt(quiz=quiz, candidate_name="А", candidate_email="A@example.com")
    submit_attempt(attempt_id=first.pk, selections={})
    with pytest.raises(AttemptLimitReached):
        start_public_attempt(
            quiz=quiz,
            candidate_name="Б",
            candidate_email="b@example.com",
            browser_attempts=(str(first.public_id),),
        )
    assert Attempt.objects.count() == 1


@pytest.mark.parametrize(("allowed", "text"), [(1, "Пройти тест можно 1 раз."), (3, "3 раза")])
def test_the_start_pages_say_how_many_attempts_there_are(client, allowed, text):
    quiz = make_quiz(access="public", attempts_allowed=allowed)
    assert text in client.get(quiz.get_absolute_url()).content.decode()
    invited = make_quiz(title="По ссылке", access="invite", attempts_allowed=allowed)
    # A link with uses enough for every attempt (a one-use link allows one, see
    # tests/views/test_resume_and_rules.py).
    client.get(personal(invited, max_uses=allowed).get_absolute_url())
    assert text in client.get(reverse("quizzes:invite_start")).content.decode()


def test_an_unlimited_quiz_says_nothing_about_attempts(client):
    quiz = make_quiz(access="public", attempts_allowed=None)
    assert "Пройти тест можно" not in client.get(quiz.get_absolute_url()).content.decode()


def test_the_refusal_page_escapes_the_quiz_title(client):
    quiz = make_quiz(access="public", title='<script>alert("x")</script>')
    take(client, quiz)
    html = start_post(client, quiz).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize(("typed", "stored"), [("3", 3), ("", None), ("0", 0)])
def test_staff_set_attempts_allowed_on_the_quiz_page(admin_client, typed, stored):
    from tests.authoring.forms_html import admin_form_data

    quiz = make_quiz(access="public")
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "quiz_form")
    assert data["attempts_allowed"] == "1"
    data["attempts_allowed"] = typed

    assert admin_client.post(url, data).status_code == 302

    quiz.refresh_from_db()
    assert quiz.attempts_allowed == stored
    assert quiz.limits_attempts is bool(stored)
