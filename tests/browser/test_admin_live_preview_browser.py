"""The live preview in the Russian admin, in a real Chromium, as an Author: what is typed
shows rendered under its field before anything is saved."""

import pytest
from django.contrib.auth.models import Group, User

from quizzes.models import Option, Question
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = '**жирный** и код:\n\n```python\ndef f():\n    return "ok"\n```\n'


def sign_in_as_author(page, live_server) -> None:
    user = User.objects.create_user("author", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "author")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()


def preview_of(page, field: str):
    """The live preview panel the script put under a field."""
    return page.locator(
        f"textarea[name='{field}'] ~ .live-preview, "
        f".form-row:has(textarea[name='{field}']) .live-preview"
    )


def test_an_author_sees_bold_code_and_a_formula_warning_while_typing(
    page, live_server, screenshot, roles
):
    question = make_quiz(title="Предпросмотр").questions.get(position=1)
    before = (Question.objects.count(), Option.objects.count(), question.text)
    sign_in_as_author(page, live_server)
    page.goto(f"{live_server.url}/admin/quizzes/question/{question.pk}/change/")

    page.fill("#id_text", TEXT)
    panel = preview_of(page, "text")
    panel.locator("strong", has_text="жирный").wait_for()
    assert panel.locator(".live-preview-label").inner_text().strip().lower() == (
        "предпросмотр по мере ввода"
    )
    assert panel.locator(".code-language").inner_text() == "Python"
    assert panel.locator("pre.highlight span.k", has_text="def").count() == 1
    assert panel.locator(".live-preview-problems li").count() == 0

    page.fill("#id_explanation", "Дробь: $\\frac{a$")
    warning = preview_of(page, "explanation").locator(".live-preview-warning")
    warning.wait_for()
    assert warning.inner_text() == (
        "Строка 1: Эту формулу не удалось разобрать, она показана как исходный текст: \\frac{a"
    )

    # An option is inline: bold without a paragraph, in its table cell.
    page.fill("textarea[name='options-0-text']", "**да**")
    option = page.locator("td:has(textarea[name='options-0-text']) .live-preview-body")
    option.locator("strong", has_text="да").wait_for()
    assert option.locator("p").count() == 0
    screenshot(page, "live-preview")

    # Nothing was saved by previewing.
    question.refresh_from_db()
    assert (Question.objects.count(), Option.objects.count(), question.text) == before


def test_an_option_row_added_on_the_page_previews_too(page, live_server, roles):
    question = make_quiz(title="Предпросмотр").questions.get(position=1)
    sign_in_as_author(page, live_server)
    page.goto(f"{live_server.url}/admin/quizzes/question/{question.pk}/change/")
    rows = question.options.count()
    page.locator("#options-group .add-row a").click()

    page.fill(f"textarea[name='options-{rows}-feedback']", "Потому что *так*.")
    feedback = page.locator(f"td:has(textarea[name='options-{rows}-feedback']) .live-preview-body")
    feedback.locator("em", has_text="так").wait_for()
    assert feedback.inner_html() == "<p>Потому что <em>так</em>.</p>\n"
