"""Who may see what: candidates only their own attempts, staff pages only for staff."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from quizzes.services.attempts import start_attempt, submit_attempt
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_attempt(quiz):
    return start_attempt(quiz=quiz, candidate_name="Чужой", candidate_email="other@example.com")


def test_a_candidate_cannot_open_someone_elses_attempt_or_result(
    client, quiz, start, other_attempt
):
    start(quiz)
    assert client.get(other_attempt.get_absolute_url()).status_code == 404
    submit_attempt(attempt_id=other_attempt.pk, selections={})
    result = reverse("quizzes:result", args=[other_attempt.public_id])
    response = client.get(result)
    assert response.status_code == 404
    assert "Чужой" not in response.content.decode()


def test_a_candidate_cannot_submit_someone_elses_attempt(client, quiz, start, other_attempt):
    start(quiz)
    response = client.post(other_attempt.get_absolute_url(), {})
    assert response.status_code == 404
    other_attempt.refresh_from_db()
    assert other_attempt.state == other_attempt.State.IN_PROGRESS


@pytest.mark.parametrize(
    "path",
    [
        "/attempt/{id}/",
        "/attempt/{id}/submit/",
        "/attempt/{id}/result/",
        "/attempt/{int}/",
        "/attempt/../admin/",
    ],
)
def test_random_and_malformed_attempt_ids_are_404(client, quiz, start, path):
    start(quiz)
    url = path.format(id=uuid.uuid4(), int=1)
    assert client.get(url).status_code == 404


def test_attempt_ids_are_unguessable_uuids(quiz, other_attempt):
    second = start_attempt(quiz=quiz, candidate_name="B", candidate_email="b@x.org")
    assert other_attempt.public_id.version == 4
    assert str(other_attempt.public_id) in other_attempt.get_absolute_url()
    assert str(other_attempt.pk) not in other_attempt.get_absolute_url().split("/")
    assert other_attempt.public_id != second.public_id


STAFF_PAGES = [
    reverse("admin:index"),
    reverse("admin:quizzes_attempt_changelist"),
    reverse("admin:quizzes_quiz_changelist"),
    reverse("admin:auth_user_changelist"),
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_signed_in_non_staff_users_are_sent_to_the_login_page(client, django_user_model, url):
    user = django_user_model.objects.create_user("candidate", "c@example.com", "pw")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_a_permission_get_403_on_that_page(client, django_user_model):
    quiz = make_quiz(access="public")
    attempt = start_attempt(
        quiz=quiz, candidate_name="Секретный кандидат", candidate_email="secret@example.com"
    )
    user = django_user_model.objects.create_user("author", "a@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_question"))
    client.force_login(user)

    assert client.get(reverse("admin:quizzes_question_changelist")).status_code == 200
    for url in [
        reverse("admin:quizzes_attempt_changelist"),
        reverse("admin:quizzes_attempt_change", args=[attempt.pk]),
        reverse("admin:auth_user_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "secret@example.com" not in response.content.decode()
