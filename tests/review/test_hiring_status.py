"""Hiring status per attempt: changed by Recruiters with who and when, listed, filtered."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Attempt, HiringStatusChange
from quizzes.services.review import ReviewError, set_hiring_status
from tests.builders import ALL_RIGHT, ALL_WRONG, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

LIST = reverse("quizzes:review_attempts")


def status_url(attempt) -> str:
    return reverse("quizzes:review_hiring_status", args=[attempt.public_id])


def detail(client, attempt) -> str:
    return client.get(reverse("quizzes:review_attempt", args=[attempt.public_id])).content.decode()


def names(response) -> list[str]:
    return re.findall(
        r'<a href="/review/attempt/[0-9a-f-]+/">([^<]+)</a>', response.content.decode()
    )


def test_a_new_attempt_is_new_and_its_page_offers_every_status(recruiter_client, quiz):
    attempt = finish(quiz, ALL_RIGHT)
    assert attempt.hiring_status == Attempt.HiringStatus.NEW
    html = detail(recruiter_client, attempt)
    assert 'data-status="new"' in html and ">Новый</strong>" in html
    select = html.split('name="status"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\w+)"( selected)?>', select)
    assert [value for value, _ in options] == [
        "new", "shortlisted", "on_hold", "rejected", "hired",
    ]  # fmt: skip
    assert dict(options)["new"] == " selected"


def test_a_recruiter_changes_the_status_and_the_page_says_who_and_when(
    recruiter_client, recruiter, quiz
):
    attempt = finish(quiz, ALL_RIGHT)
    response = recruiter_client.post(status_url(attempt), {"status": "shortlisted"})
    assert response.status_code == 302
    recruiter_client.post(status_url(attempt), {"status": "hired"})
    attempt.refresh_from_db()
    assert attempt.hiring_status == "hired"
    changes = list(HiringStatusChange.objects.order_by("created_at", "id"))
    assert [(c.old_status, c.new_status, c.changed_by) for c in changes] == [
        ("new", "shortlisted", recruiter),
        ("shortlisted", "hired", recruiter),
    ]
    html = detail(recruiter_client, attempt)
    assert ">Нанят</strong>" in html
    assert re.search(r'class="[^"]*hiring-status-set">установил\(а\) rita, ', html)
    rows = re.findall(r'<tr class="status-change" data-old="(\w+)" data-new="(\w+)">', html)
    assert rows == [("shortlisted", "hired"), ("new", "shortlisted")]  # newest first
    assert "В шорт-листе → Нанят" in html


def test_setting_the_same_status_again_records_nothing(recruiter_client, recruiter, quiz):
    attempt = finish(quiz, ALL_RIGHT)
    assert set_hiring_status(attempt=attempt, status="on_hold", user=recruiter) is True
    assert set_hiring_status(attempt=attempt, status="on_hold", user=recruiter) is False
    assert HiringStatusChange.objects.count() == 1


def test_an_unknown_status_is_refused_and_nothing_changes(recruiter_client, recruiter, quiz):
    attempt = finish(quiz, ALL_RIGHT)
    response = recruiter_client.post(status_url(attempt), {"status": "promoted"})
    assert response.status_code == 400
    assert "text-danger" in response.content.decode()
    with pytest.raises(ReviewError):
        set_hiring_status(attempt=attempt, status="promoted", user=recruiter)
    attempt.refresh_from_db()
    assert attempt.hiring_status == "new" and not HiringStatusChange.objects.exists()


def test_staff_who_may_read_attempts_but_not_decide_get_no_form_and_a_403(client, make_user, quiz):
    reader = make_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_attempt"))
    client.force_login(reader)
    attempt = finish(quiz, ALL_RIGHT)
    html = detail(client, attempt)
    assert ">Новый</strong>" in html and 'name="status"' not in html
    assert client.post(status_url(attempt), {"status": "hired"}).status_code == 403
    attempt.refresh_from_db()
    assert attempt.hiring_status == "new"


def test_the_recruiters_group_holds_the_permission(recruiter):
    assert recruiter.has_perm("quizzes.set_hiring_status")
    assert (
        not Group.objects.get(name="Authors")
        .permissions.filter(codename="set_hiring_status")
        .exists()
    )


def test_the_list_shows_and_filters_by_hiring_status(recruiter_client, recruiter, quiz):
    finish(quiz, ALL_RIGHT, name="Шорт")
    kept = Attempt.objects.get(candidate_name="Шорт")
    finish(quiz, ALL_WRONG, name="Отказ", email="no@example.com")
    finish(quiz, ALL_WRONG, name="Новенький", email="new@example.com")
    set_hiring_status(attempt=kept, status="shortlisted", user=recruiter)
    rejected = Attempt.objects.get(candidate_name="Отказ")
    set_hiring_status(attempt=rejected, status="rejected", user=recruiter)

    everyone = recruiter_client.get(LIST)
    assert names(everyone) == ["Новенький", "Отказ", "Шорт"]
    cells = re.findall(
        r'class="hiring-status" data-status="(\w+)">([^<]+)<', everyone.content.decode()
    )
    assert cells == [("new", "Новый"), ("rejected", "Отказ"), ("shortlisted", "В шорт-листе")]
    assert names(recruiter_client.get(LIST, {"hiring": "shortlisted"})) == ["Шорт"]
    assert names(recruiter_client.get(LIST, {"hiring": "new", "quiz": quiz.pk})) == ["Новенький"]
    assert names(recruiter_client.get(LIST, {"hiring": "hired"})) == []
    # An unknown value is shown as an error and not applied.
    broken = recruiter_client.get(LIST, {"hiring": "promoted"})
    assert len(names(broken)) == 3 and "text-danger" in broken.content.decode()


def test_the_export_follows_the_hiring_filter(recruiter_client, recruiter, quiz):
    from tests.review.test_export import read_csv

    finish(quiz, ALL_RIGHT, name="Нанятая")
    finish(quiz, ALL_WRONG, name="Другой", email="other@example.com")
    set_hiring_status(
        attempt=Attempt.objects.get(candidate_name="Нанятая"), status="hired", user=recruiter
    )
    rows = read_csv(recruiter_client.get(reverse("quizzes:review_export"), {"hiring": "hired"}))
    assert [(row[0], row[12]) for row in rows[1:]] == [("Нанятая", "Нанят")]


def test_list_query_count_does_not_grow_with_statuses(
    recruiter_client, recruiter, django_assert_num_queries
):
    quiz = make_quiz(title="Счёт")
    set_hiring_status(attempt=finish(quiz, ALL_RIGHT), status="hired", user=recruiter)
    recruiter_client.get(LIST, {"hiring": "hired"})
    with CaptureQueriesContext(connection) as one:
        recruiter_client.get(LIST, {"hiring": "hired"})
    for n in range(20):
        attempt = finish(quiz, ALL_WRONG, name=f"К{n}", email=f"k{n}@example.com")
        set_hiring_status(attempt=attempt, status="hired", user=recruiter)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(names(recruiter_client.get(LIST, {"hiring": "hired"}))) == 21


def test_detail_query_count_does_not_grow_with_status_changes(
    recruiter_client, recruiter, quiz, django_assert_num_queries
):
    attempt = finish(quiz, ALL_RIGHT)
    detail(recruiter_client, attempt)
    with CaptureQueriesContext(connection) as none:
        detail(recruiter_client, attempt)
    for status in ("shortlisted", "on_hold", "shortlisted", "rejected", "hired"):
        set_hiring_status(attempt=attempt, status=status, user=recruiter)
    with django_assert_num_queries(len(none.captured_queries)):
        html = detail(recruiter_client, attempt)
    assert html.count('class="status-change"') == 5
