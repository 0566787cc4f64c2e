"""Issue 14's walk, in one go, as an Author in the Russian admin at 1366×768: a new quiz, a
four-option question written in one save with the live preview showing bold text and code,
a second question dragged above it, a two-minute limit, publishing, both exports imported
back with nothing changed, and one edited verdict that the import preview shows alone."""

import re
from datetime import timedelta

import pytest

from quizzes.models import Quiz
from tests.browser.test_admin_authoring_browser import save_and_continue, sign_in_as_author
from tests.browser.test_admin_live_preview_browser import preview_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = [
    ("Отключает подсчёт градиентов", "correct"),
    ("Экономит память на активациях", "correct"),
    ("Обнуляет градиенты", "incorrect"),
    ("Ускоряет обучение", "partial"),
]
SECOND = [("Да", "correct"), ("Нет", "incorrect")]
TEXT = (
    "Что делает **жирный** `torch.no_grad()`?\n\n"
    "```python\nwith torch.no_grad():\n    y = model(x)\n```"
)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def write_question(page, text: str, options: list[tuple[str, str]], kind: str) -> str:
    page.get_by_role("link", name="добавить вопрос с вариантами").click()
    page.wait_for_load_state()
    page.fill("#id_text", text)
    page.select_option("#id_kind", kind)
    for index, (option, verdict) in enumerate(options):
        page.locator("#options-group .add-row a").click()
        page.fill(f"textarea[name=options-{index}-text]", option)
        page.select_option(f"select[name=options-{index}-verdict]", verdict)
    return save_and_continue(page)


def export(page, live_server, quiz: Quiz, action: str, tmp_path):
    page.goto(f"{live_server.url}/admin/quizzes/quiz/")
    page.check(f"input[name=_selected_action][value='{quiz.pk}']")
    page.select_option("select[name=action]", action)
    with page.expect_download() as download:
        page.click("button[name=index]")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def preview_import(page, live_server, path, slug: str) -> list[str]:
    page.goto(f"{live_server.url}/admin/quizzes/quiz/import/")
    page.set_input_files("input[type=file]", str(path))
    page.fill("input[name=slug]", slug)
    page.locator(".import-upload input[type=submit]").click()
    page.wait_for_load_state()
    return [s.strip().lower() for s in page.locator(".import-status").all_inner_texts()]


def test_an_author_writes_publishes_exports_and_reimports_a_quiz(
    page, live_server, screenshot, roles, tmp_path
):
    messages = []
    sign_in_as_author(page, live_server)
    page.goto(f"{live_server.url}/admin/quizzes/quiz/add/")
    page.fill("#id_title", "Найм: глубокое обучение")
    messages.append(save_and_continue(page))
    quiz = Quiz.objects.get(title="Найм: глубокое обучение")

    # The first question: the preview renders while typing, the four options save at once.
    page.get_by_role("link", name="добавить вопрос с вариантами").click()
    page.wait_for_load_state()
    page.fill("#id_text", TEXT)
    preview = preview_of(page, "text")
    preview.locator("strong", has_text="жирный").wait_for()
    assert preview.locator(".code-language").inner_text() == "Python"
    screenshot(page, "1-live-preview")
    page.go_back()
    page.wait_for_load_state()
    messages.append(write_question(page, TEXT, FIRST, "multiple"))
    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.pk}/change/")
    messages.append(write_question(page, "Нужен ли `eval()` при выводе?", SECOND, "single"))

    # Drag the second question to the top, two minutes, published.
    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.pk}/change/")
    handles = page.locator("#questions-group td.original p")
    handles.nth(1).drag_to(handles.nth(0), target_position={"x": 5, "y": 2})
    page.fill("#id_time_limit", "2")
    page.check("#id_published")
    messages.append(save_and_continue(page))
    screenshot(page, "2-quiz-published")
    quiz.refresh_from_db()
    assert quiz.published and quiz.time_limit == timedelta(minutes=2)
    questions = list(quiz.questions.order_by("position"))
    assert questions[0].text == "Нужен ли `eval()` при выводе?"
    assert list(questions[1].options.order_by("position").values_list("text", "verdict")) == FIRST
    assert '<div class="code-language">Python</div>' in questions[1].text_html

    # Both exports come back with nothing to change.
    for action in ("export_seed", "export_tasklist"):
        path = export(page, live_server, quiz, action, tmp_path)
        assert preview_import(page, live_server, path, quiz.slug) == ["без изменений"] * 2
    screenshot(page, "3-reimport-unchanged")

    # One verdict edited in the file: that change, and only it, is shown.
    edited = tmp_path / "edited.md"
    edited.write_text(
        path.read_text().replace("- [ ] Обнуляет градиенты", "- [x] Обнуляет градиенты")
    )
    assert preview_import(page, live_server, edited, quiz.slug) == ["без изменений", "изменён"]
    changes = [" ".join(t.split()) for t in page.locator(".import-changes li").all_inner_texts()]
    assert changes == ["вариант 3 «Обнуляет градиенты»: ❌ неверно: → ✅ верно:"]
    screenshot(page, "4-one-verdict-changed")

    # Everything the admin said, it said in Russian.
    assert all(CYRILLIC.search(message) for message in messages), messages
    assert not any(re.search(r"\b(was|were|changed|added)\b", m) for m in messages), messages
