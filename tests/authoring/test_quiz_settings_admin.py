"""Quiz settings in the admin, as an Author meets them: safe defaults, practice, the warning."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Quiz
from quizzes.services.attempts import start_attempt
from tests.authoring.forms_html import admin_form_data
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

WARNING = "Anyone can start “{title}” and sees which answers are right straight after the attempt"


@pytest.fixture
def author_client(client, django_user_model):
    """A staff member of the Authors group (not a superuser), browsing in English."""
    user = django_user_model.objects.create_user("artur", "artur@x.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def change_url(quiz: Quiz) -> str:
    return reverse("admin:quizzes_quiz_change", args=[quiz.pk])


def warnings_on(html: str) -> list[str]:
    return re.findall(r'<li class="warning">(.*?)</li>', html, re.S)


def quiz_form(client, url: str) -> dict:
    return admin_form_data(client.get(url).content.decode(), "quiz_form")


def harvestable(**fields) -> Quiz:
    return make_quiz(title="Открытый", access="public", review_after_attempt="full", **fields)


def test_a_quiz_added_in_the_admin_is_invite_only_and_hides_answers_until_it_closes(
    author_client,
):
    data = quiz_form(author_client, reverse("admin:quizzes_quiz_add"))
    assert (data["access"], data["review_after_attempt"], data["review_after_close"]) == (
        "invite",
        "thanks",
        "full",
    )
    assert "practice" not in data  # unticked
    data.update(title="Новый", slug="novyi")
    response = author_client.post(reverse("admin:quizzes_quiz_add"), data, follow=True)
    assert response.status_code == 200
    quiz = Quiz.objects.get(slug="novyi")
    assert (quiz.access, quiz.practice, quiz.closes_at) == ("invite", False, None)
    assert (quiz.review_after_attempt, quiz.review_after_close) == ("thanks", "full")
    assert warnings_on(response.content.decode()) == []


def test_the_change_page_warns_when_anyone_could_collect_the_answers(author_client):
    quiz = harvestable()
    html = author_client.get(change_url(quiz)).content.decode()
    [warning] = warnings_on(html)
    assert WARNING.format(title="Открытый") in warning
    assert "invite only" in warning and "practice quiz" in warning


def test_the_warning_speaks_russian_by_default(author_client):
    quiz = harvestable()
    del author_client.defaults["HTTP_ACCEPT_LANGUAGE"]
    [warning] = warnings_on(author_client.get(change_url(quiz)).content.decode())
    assert "Тест «Открытый» может начать кто угодно" in warning


@pytest.mark.parametrize("button", ["_save", "_continue"])
def test_saving_such_a_quiz_warns_once_on_the_next_page(author_client, button):
    quiz = make_quiz(title="Открытый")
    data = quiz_form(author_client, change_url(quiz))
    data.update(access="public", review_after_attempt="correctness", **{button: "1"})
    response = author_client.post(change_url(quiz), data, follow=True)
    landed = response.redirect_chain[-1][0]
    assert landed.startswith(
        change_url(quiz) if button == "_continue" else reverse("admin:quizzes_quiz_changelist")
    )
    [warning] = warnings_on(response.content.decode())
    assert WARNING.format(title="Открытый") in warning
    quiz.refresh_from_db()
    assert (quiz.access, quiz.review_after_attempt) == ("public", "correctness")


@pytest.mark.parametrize(
    "fields",
    [
        {"access": "invite", "review_after_attempt": "full"},
        {"access": "public", "review_after_attempt": "score"},
        {"access": "public", "review_after_attempt": "thanks", "review_after_close": "full"},
    ],
)
def test_no_warning_where_a_visitor_cannot_read_the_answers_at_once(author_client, fields):
    quiz = make_quiz(title="Закрытый", **fields)
    assert warnings_on(author_client.get(change_url(quiz)).content.decode()) == []
    data = quiz_form(author_client, change_url(quiz))
    response = author_client.post(change_url(quiz), {**data, "_continue": "1"}, follow=True)
    assert warnings_on(response.content.decode()) == []


def test_ticking_practice_makes_the_quiz_public_with_the_full_review_and_silences_the_warning(
    author_client,
):
    quiz = make_quiz(title="Самоподготовка")
    data = quiz_form(author_client, change_url(quiz))
    data.update(practice="on", access="invite", review_after_attempt="thanks", _continue="1")
    response = author_client.post(change_url(quiz), data, follow=True)
    quiz.refresh_from_db()
    assert (quiz.practice, quiz.access) == (True, "public")
    assert (quiz.review_after_attempt, quiz.review_after_close) == ("full", "full")
    assert warnings_on(response.content.decode()) == []
    # Unticked again, it keeps the open settings and the warning comes back.
    data = quiz_form(author_client, change_url(quiz))
    data.pop("practice")
    response = author_client.post(change_url(quiz), {**data, "_continue": "1"}, follow=True)
    quiz.refresh_from_db()
    assert not quiz.practice
    assert len(warnings_on(response.content.decode())) == 1


def test_moving_the_close_date_moves_the_deadlines_of_attempts_in_progress(author_client):
    quiz = make_quiz(title="Найм", time_limit=timedelta(hours=1))
    attempt = start_attempt(quiz=quiz, candidate_name="А", candidate_email="a@x.org")
    own_end = attempt.started_at + timedelta(hours=1)
    finished = start_attempt(quiz=quiz, candidate_name="Б", candidate_email="b@x.org")
    Attempt.objects.filter(pk=finished.pk).update(state=Attempt.State.SUBMITTED)

    closes = (timezone.now() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    data = quiz_form(author_client, change_url(quiz))
    local = timezone.localtime(closes)
    data.update(
        closes_at_0=local.strftime("%Y-%m-%d"), closes_at_1=local.strftime("%H:%M:%S"), _save="1"
    )
    response = author_client.post(change_url(quiz), data, follow=True)
    assert "1 attempt in progress now ends at the close date at the latest." in (
        response.content.decode()
    )
    attempt.refresh_from_db()
    assert attempt.deadline == closes
    finished_deadline = Attempt.objects.get(pk=finished.pk).deadline
    assert finished_deadline == finished.deadline  # a finished attempt is left alone

    # Removing the close date gives the time back.
    data = quiz_form(author_client, change_url(quiz))
    data.update(closes_at_0="", closes_at_1="", _save="1")
    author_client.post(change_url(quiz), data)
    attempt.refresh_from_db()
    assert attempt.deadline == own_end
