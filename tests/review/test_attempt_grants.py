"""One more attempt: a recruiter grants it on the attempt page; it is recorded and shown."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, AttemptGrant, Invite
from tests.builders import ALL_RIGHT, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db


def grant_url(attempt):
    return reverse("quizzes:review_grant", args=[attempt.public_id])


def detail(client, attempt) -> str:
    response = client.get(reverse("quizzes:review_attempt", args=[attempt.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_attempts_used_of_allowed_and_the_button(recruiter_client):
    attempt = finish(make_quiz(access="public"), ALL_RIGHT)
    html = detail(recruiter_client, attempt)
    assert 'data-used="1" data-allowed="1"' in html
    assert "сделано попыток: 1 из 1 разрешённых" in html
    assert f'action="{grant_url(attempt)}"' in html
    assert "Разрешить ещё одну попытку" in html


def test_a_grant_is_recorded_with_who_and_when_and_shown(recruiter_client, recruiter):
    attempt = finish(make_quiz(access="public"), ALL_RIGHT)

    response = recruiter_client.post(grant_url(attempt), follow=True)

    grant = AttemptGrant.objects.get()
    assert (grant.attempt, grant.granted_by) == (attempt, recruiter)
    html = response.content.decode()
    assert "Анна может пройти тест ещё раз." in html
    assert 'data-used="1" data-allowed="2"' in html
    assert "Ещё одну попытку разрешил(а) rita" in html
    assert html.count('class="attempt-grant"') == 1


def test_the_candidate_can_start_exactly_one_more_attempt_after_the_grant(recruiter_client):
    quiz = make_quiz(access="public")
    attempt = finish(quiz, ALL_RIGHT)
    candidate = Client()
    data = {"candidate_name": "Анна", "candidate_email": "anna@example.com"}
    assert candidate.post(quiz.get_absolute_url(), data).status_code == 403

    recruiter_client.post(grant_url(attempt))

    assert candidate.post(quiz.get_absolute_url(), data).status_code == 302
    second = Attempt.objects.exclude(pk=attempt.pk).get()
    candidate.post(second.get_absolute_url(), {"action": "finish"})
    assert candidate.post(quiz.get_absolute_url(), data).status_code == 403
    assert Attempt.objects.count() == 2
    assert 'data-used="2" data-allowed="2"' in detail(recruiter_client, second)


def test_a_grant_on_an_invited_attempt_gives_the_link_one_more_use(recruiter_client):
    quiz = make_quiz(access="invite")
    invite = Invite.objects.create(quiz=quiz, candidate_name="Анна", candidate_email="a@x.org")
    attempt = finish(quiz, ALL_RIGHT, email="a@x.org", invite=invite)
    Invite.objects.filter(pk=invite.pk).update(uses=1)

    recruiter_client.post(grant_url(attempt))

    invite.refresh_from_db()
    assert (invite.uses, invite.max_uses) == (1, 2)
    assert invite.unavailable_reason() is None


def test_a_quiz_without_a_limit_has_no_button_and_refuses_a_grant(recruiter_client):
    attempt = finish(make_quiz(access="public", attempts_allowed=None), ALL_RIGHT)
    html = detail(recruiter_client, attempt)
    assert grant_url(attempt) not in html
    assert 'data-allowed=""' in html

    response = recruiter_client.post(grant_url(attempt), follow=True)

    assert "число попыток не ограничено: добавлять нечего" in response.content.decode()
    assert not AttemptGrant.objects.exists()


def test_a_reader_without_the_permission_sees_no_button_and_is_refused(client, make_user):
    attempt = finish(make_quiz(access="public"), ALL_RIGHT)
    reader = make_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_attempt"))
    client.force_login(reader)
    assert grant_url(attempt) not in detail(client, attempt)

    assert client.post(grant_url(attempt)).status_code == 403

    assert not AttemptGrant.objects.exists()


def test_granting_takes_a_post(recruiter_client):
    attempt = finish(make_quiz(access="public"), ALL_RIGHT)
    assert recruiter_client.get(grant_url(attempt)).status_code == 405
    assert not AttemptGrant.objects.exists()


def test_the_grant_form_carries_a_csrf_token(recruiter_client):
    attempt = finish(make_quiz(access="public"), ALL_RIGHT)
    html = detail(recruiter_client, attempt)
    form = html[html.index(f'action="{grant_url(attempt)}"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]


def test_a_second_click_grants_nothing_more(recruiter_client):
    attempt = finish(make_quiz(access="public"), ALL_RIGHT)
    recruiter_client.post(grant_url(attempt))

    response = recruiter_client.post(grant_url(attempt), follow=True)

    assert "Анна уже может пройти тест ещё раз: добавлять нечего." in response.content.decode()
    assert AttemptGrant.objects.count() == 1
    assert 'data-used="1" data-allowed="2"' in response.content.decode()
