"""Drag and drop in a real Chromium reorders options despite unique positions."""

import pytest

from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dragging_the_last_option_to_the_top_saves_the_new_order(
    live_server, django_user_model, browser
):
    django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    question = make_quiz().questions.get(position=3)
    page = browser.new_page(locale="en-US")
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "pw")
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/quizzes/question/{question.pk}/change/")
        handles = page.locator("#options-group td.original p")
        handles.nth(3).drag_to(handles.nth(0), target_position={"x": 5, "y": 2})
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        message = page.locator(".messagelist").inner_text()
    finally:
        page.close()
    assert "was changed successfully" in message
    assert list(question.options.order_by("position").values_list("position", "text")) == [
        (1, "Норма входного вектора равна нулю"),
        (2, "Взрыв градиентов"),
        (3, "Переобучение"),
        (4, "Затухание градиентов"),
    ]
