"""Roles in the Russian admin, in a real browser: what the action menu offers, and what an
Author's regrade preview shows."""

import pytest
from django.contrib.auth.models import Group, User

from tests.builders import make_quiz
from tests.review.conftest import finish

# The groups come from data migrations; the `roles` fixture puts them back after a flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG_THEN_RIGHT = "Он не требует learning rate"


def sign_in(page, live_server, group: str) -> None:
    user = User.objects.create_user(group.lower(), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_a_recruiter_is_offered_no_publish_or_duplicate_in_the_russian_quiz_list(
    page, live_server, screenshot, roles
):
    make_quiz(title="Права")
    sign_in(page, live_server, "Recruiters")
    page.goto(f"{live_server.url}/admin/quizzes/quiz/")
    offered = page.locator("select[name=action] option").all_inner_texts()
    screenshot(page, "recruiter-quiz-list")
    assert [text.strip() for text in offered] == [
        "---------",
        "Экспорт в markdown, формат с ✅ ❌ ⚠️",
        "Экспорт в markdown, формат списка задач (- [x])",
        "Пересчитать попытки по текущим вердиктам",
    ]
    assert page.get_by_role("link", name="Импорт из файла").count() == 0


def test_an_authors_regrade_preview_in_russian_shows_counts_and_no_candidate(
    page, live_server, screenshot, roles
):
    quiz = make_quiz(title="Права")
    finish(quiz, {2: [WRONG_THEN_RIGHT]}, name="Секретная Кандидатка", email="secret@example.com")
    quiz.questions.get(position=2).options.filter(text=WRONG_THEN_RIGHT).update(verdict="correct")
    sign_in(page, live_server, "Authors")
    page.goto(f"{live_server.url}/admin/quizzes/quiz/")
    page.locator(f"input[name=_selected_action][value='{quiz.pk}']").check()
    page.select_option("select[name=action]", "regrade_attempts")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()

    screenshot(page, "author-regrade-preview")
    content = page.locator("#content").inner_text()
    assert "Это пробный прогон: ничего не сохранено." in content
    counts = page.locator("dl.regrade-counts")
    assert counts.locator("dt").all_inner_texts() == [
        "Попытки, которые будут пересчитаны",
        "Попытки, уже оценённые по текущим вердиктам",
        "Попытки, пропущенные, потому что у вопросов изменился состав вариантов",
    ]
    assert counts.locator("dd").all_inner_texts() == ["1", "0", "0"]
    assert "Секретная" not in page.content() and "secret@example.com" not in page.content()
    assert page.locator("input[name=confirm]").count() == 0
    assert "группа Recruiters" in content
