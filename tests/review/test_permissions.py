"""Who may open the review pages: recruiters and superusers; authors and others may not."""

import pytest
from django.urls import reverse

from quizzes.models import AttemptGrant, AttemptNote
from tests.builders import ALL_RIGHT, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    return finish(make_quiz(title="Права"), ALL_RIGHT, name="Секретная Кандидатка")


def get_pages(attempt):
    return [
        reverse("quizzes:review_attempts"),
        reverse("quizzes:review_attempt", args=[attempt.public_id]),
        reverse("quizzes:review_export") + f"?quiz={attempt.quiz_id}",
        reverse("quizzes:review_statistics", args=[attempt.quiz.slug]),
        reverse("quizzes:review_histogram", args=[attempt.quiz.slug]),
    ]


def post_pages(attempt):
    question_id = attempt.revision.content["questions"][0]["id"]
    return [
        (reverse("quizzes:review_note", args=[attempt.public_id]), {"text": "заметка"}),
        (reverse("quizzes:review_rate", args=[attempt.public_id]), {"rating": "4"}),
        (
            reverse("quizzes:review_override", args=[attempt.public_id]),
            {"question_id": question_id, "points": "0.5", "reason": "спорный вопрос"},
        ),
        (reverse("quizzes:review_grant", args=[attempt.public_id]), {}),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, attempt):
    for url in get_pages(attempt):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/?next=")
    for url, data in post_pages(attempt):
        response = client.post(url, data)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AttemptNote.objects.exists() and not AttemptGrant.objects.exists()


def test_authors_get_403_and_never_see_candidate_data(client, author, attempt):
    client.force_login(author)
    for url in get_pages(attempt):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Секретная Кандидатка" not in response.content.decode()
    for url, data in post_pages(attempt):
        assert client.post(url, data).status_code == 403
    attempt.refresh_from_db()
    assert attempt.rating is None and not AttemptNote.objects.exists()
    assert not AttemptGrant.objects.exists()


def test_staff_without_a_role_get_403(client, make_user, attempt):
    client.force_login(make_user("nobody"))
    for url in get_pages(attempt):
        assert client.get(url).status_code == 403, url


def test_a_recruiter_whose_staff_status_was_removed_is_sent_to_the_login_page(
    client, make_user, attempt
):
    # Unticking "Staff status" must revoke access even though the group still grants it.
    client.force_login(make_user("former", group="Recruiters", staff=False))
    for url in get_pages(attempt):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/?next=")
        assert "Секретная Кандидатка" not in response.content.decode()
    for url, data in post_pages(attempt):
        response = client.post(url, data)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    attempt.refresh_from_db()
    assert attempt.rating is None and not AttemptNote.objects.exists()
    assert not attempt.score_changes.exists()


@pytest.mark.parametrize("role", ["recruiter", "superuser"])
def test_recruiters_and_superusers_open_every_page_and_write(client, request, role, attempt):
    client.force_login(request.getfixturevalue(role))
    for url in get_pages(attempt):
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(get_pages(attempt)[1]).content.decode()
    assert "Секретная Кандидатка" in detail
    for url, data in post_pages(attempt):
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:300]
    attempt.refresh_from_db()
    assert attempt.rating == 4
    assert AttemptNote.objects.get().text == "заметка"
    assert AttemptGrant.objects.get().granted_by.username in {"rita", "boss"}


def test_the_nav_links_to_review_only_for_those_who_may_review(client, author, recruiter):
    make_quiz()
    review_url = reverse("quizzes:review_attempts")
    assert f'href="{review_url}"' not in client.get("/").content.decode()
    client.force_login(author)
    assert f'href="{review_url}"' not in client.get("/").content.decode()
    client.force_login(recruiter)
    assert f'href="{review_url}"' in client.get("/").content.decode()


def test_recruiters_can_read_but_not_edit_questions_in_the_admin(client, recruiter, attempt):
    client.force_login(recruiter)
    question = attempt.quiz.questions.get(position=2)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = client.get(url).content.decode()
    assert "Adam" in page and 'name="_save"' not in page
    response = client.post(url, {"text": "взлом", "quiz": attempt.quiz_id, "position": 2})
    assert response.status_code == 403
    question.refresh_from_db()
    assert "Adam" in question.text
    assert client.get(reverse("admin:quizzes_question_add")).status_code == 403


def test_authors_edit_questions_but_cannot_open_attempts_in_the_admin(client, author, attempt):
    client.force_login(author)
    question = attempt.quiz.questions.get(position=2)
    page = client.get(reverse("admin:quizzes_question_change", args=[question.pk])).content
    assert b'name="_save"' in page
    assert client.get(reverse("admin:quizzes_attempt_changelist")).status_code == 403
    assert client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk])).status_code == 403
    assert "Секретная" not in client.get(reverse("admin:index")).content.decode()


def test_the_roles_migration_grants_exactly_the_intended_permissions():
    from django.contrib.auth.models import Group

    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    authors, recruiters = codenames("Authors"), codenames("Recruiters")
    assert {"change_question", "add_option", "delete_quiz", "view_quizrevision"} <= authors
    assert not {c for c in authors if "attempt" in c or "answer" in c or "invite" in c}
    assert {"view_attempt", "view_answer", "add_attemptnote", "override_score"} <= recruiters
    assert "regrade_attempts" in recruiters and "regrade_attempts" not in authors
    assert "set_hiring_status" in recruiters and "set_hiring_status" not in authors
    assert not {c for c in recruiters if c.startswith(("add_", "change_", "delete_"))} - {
        "add_attemptnote",
        "add_attemptgrant",
        "change_attempt",
        "add_invite",  # inviting candidates, and emailing them their invitations
        # Their own API tokens (an admin list shows each user only theirs).
        "add_apitoken",
        "change_apitoken",
        # Webhooks carry candidates' data to their applicant-tracking system.
        "add_webhookendpoint",
        "change_webhookendpoint",
        "delete_webhookendpoint",
        "change_webhookdelivery",  # redelivering
        "delete_webhookdelivery",
    }


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "Вашей учётной записи нельзя открыть эту страницу."),
        ("en", "Your account may not open this page."),
    ],
)
def test_a_refused_page_is_the_sites_own_in_the_visitors_language(client, author, language, text):
    client.force_login(author)
    response = client.get(reverse("quizzes:review_attempts"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    html = response.content.decode()
    assert text in html and 'href="/"' in html
