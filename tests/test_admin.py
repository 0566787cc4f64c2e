"""Admin pages render for staff with real content."""

import pytest
from django.urls import reverse

from quizzes.services.attempts import start_attempt, submit_attempt
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def test_quiz_changelist_and_change_page_list_questions(admin_client):
    quiz = make_quiz(title="Админ-тест")
    html = admin_client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    assert "Админ-тест" in html
    html = admin_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert "Какое утверждение про Adam верное?" in html


def test_question_change_page_has_option_inline_with_verdicts(admin_client):
    quiz = make_quiz()
    question = quiz.questions.get(position=1)
    html = admin_client.get(
        reverse("admin:quizzes_question_change", args=[question.pk])
    ).content.decode()
    assert "Batch Normalization" in html
    assert 'value="partial" selected' in html


def test_question_changelist_filters_and_searches(admin_client):
    make_quiz()
    html = admin_client.get(
        reverse("admin:quizzes_question_changelist") + "?q=Adam"
    ).content.decode()
    assert "Adam" in html and "NaN" not in html


def test_attempt_admin_is_read_only_with_answers(admin_client):
    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="Пётр", candidate_email="p@example.com")
    submit_attempt(attempt_id=attempt.pk, selections={})
    html = admin_client.get(reverse("admin:quizzes_attempt_changelist")).content.decode()
    assert "Пётр" in html
    response = admin_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert response.status_code == 200
    assert "p@example.com" in response.content.decode()
    assert 'name="_save"' not in response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("admin:quizzes_quiz_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_regrade_action_shows_a_dry_run_then_applies_on_confirmation(admin_client):
    from quizzes.models import Attempt, ScoreChange

    quiz = make_quiz()
    attempt = start_attempt(quiz=quiz, candidate_name="Вера", candidate_email="v@example.com")
    question = quiz.questions.get(position=2)
    wrong = question.options.get(text="Он не требует learning rate")
    submit_attempt(attempt_id=attempt.pk, selections={question.id: [wrong.id]})
    wrong.verdict = "correct"
    wrong.save()
    url = reverse("admin:quizzes_quiz_changelist")

    preview = admin_client.post(url, {"action": "regrade_attempts", "_selected_action": [quiz.pk]})
    html = preview.content.decode()
    assert "Вера" in html and "<td>0</td><td>1</td>" in html
    assert Attempt.objects.get().score == 0

    admin_client.post(
        url, {"action": "regrade_attempts", "_selected_action": [quiz.pk], "confirm": "yes"}
    )
    assert Attempt.objects.get().score == 1
    assert ScoreChange.objects.get().changed_by.username == "boss"


@pytest.mark.parametrize(
    "query",
    [
        "started_at__year=9999",
        "started_at__year=9999&started_at__month=12&started_at__day=31",
    ],
)
def test_date_lookups_at_the_end_of_the_calendar_are_no_server_error(admin_client, query):
    response = admin_client.get(f"/admin/quizzes/attempt/?{query}")
    assert response.status_code < 500
