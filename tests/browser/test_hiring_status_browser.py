"""A Recruiter in the Russian UI shortlists a candidate, then finds them by that status."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from quizzes.models import Attempt, HiringStatusChange
from tests.builders import ALL_RIGHT, ALL_WRONG, make_quiz
from tests.review.conftest import finish

# The groups come from data migrations; the `roles` fixture puts them back after a flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as_recruiter(page, live_server) -> User:
    user = User.objects.create_user("rita", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return user


def test_a_recruiter_shortlists_a_candidate_and_filters_the_list_by_status(
    page, live_server, screenshot, axe_violations, roles
):
    quiz = make_quiz(title="Найм")
    strong = finish(quiz, ALL_RIGHT, name="Сильная Кандидатка", email="strong@example.com")
    finish(quiz, ALL_WRONG, name="Другой Кандидат", email="other@example.com")
    user = sign_in_as_recruiter(page, live_server)

    page.goto(live_server.url + reverse("quizzes:review_attempt", args=[strong.public_id]))
    status = page.locator("section.hiring-status")
    assert status.locator(".hiring-status-value").inner_text() == "Новый"
    status.get_by_label("Изменить на").select_option(label="В шорт-листе")
    status.get_by_role("button", name="Сохранить статус").click()
    page.wait_for_load_state()

    assert page.get_by_text("Статус найма: В шорт-листе.").is_visible()
    assert status.locator(".hiring-status-value").inner_text() == "В шорт-листе"
    assert status.locator(".hiring-status-set").inner_text().startswith("установил(а) rita, ")
    history = page.locator("tr.status-change")
    assert history.count() == 1 and "Новый → В шорт-листе" in history.inner_text()
    screenshot(page, "shortlisted")
    assert axe_violations(page) == []
    change = HiringStatusChange.objects.get()
    assert (change.old_status, change.new_status, change.changed_by) == (
        "new",
        "shortlisted",
        user,
    )
    assert Attempt.objects.get(pk=strong.pk).hiring_status == "shortlisted"

    page.goto(live_server.url + reverse("quizzes:review_attempts"))
    assert page.locator("tr.attempt-row").count() == 2
    page.get_by_label("Статус найма").select_option(label="В шорт-листе")
    page.get_by_role("button", name="Применить").click()
    page.wait_for_load_state()

    rows = page.locator("tr.attempt-row")
    assert rows.count() == 1
    assert "Сильная Кандидатка" in rows.inner_text()
    assert rows.locator("td.hiring-status").inner_text() == "В шорт-листе"
    assert "hiring=shortlisted" in page.url
    screenshot(page, "filtered-by-status")
    assert axe_violations(page) == []
