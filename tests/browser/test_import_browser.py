"""An Author imports files in the Russian admin, in a real browser: heading styles and the
parser's messages in Russian."""

import pytest

from tests.browser.test_admin_roles_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

H2_QUESTIONS = """# Основы Python

## Q1

Что выведет `len("abc")`?

- [ ] 2
- [x] 3

## Q2

Черновик без ответа

- [ ] да
- [ ] нет
"""

NOTHING_RECOGNISED = "# Основы Python\n\nQ1) Что выведет len?\n\na) 2\nb) 3\n"


def preview(page, live_server, name: str, text: str) -> str:
    page.goto(f"{live_server.url}/admin/quizzes/quiz/import/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": name, "mimeType": "text/markdown", "buffer": text.encode()}],
    )
    page.locator("form.import-upload input[type=submit]").click()
    page.wait_for_load_state()
    return page.locator("#content").inner_text()


def test_an_author_imports_h2_questions_and_reads_the_warnings_in_russian(
    page, live_server, screenshot, roles
):
    sign_in(page, live_server, "Authors")
    preview(page, live_server, "python.md", H2_QUESTIONS)
    screenshot(page, "h2-preview")
    questions = page.locator(".import-question-text").all_inner_texts()
    assert [text.strip() for text in questions] == [
        'Что выведет len("abc")?',
        "Черновик без ответа",
    ]
    warnings = page.locator("ul.import-warnings li").all_inner_texts()
    assert warnings == [
        "строка 10: ни один вариант не отмечен [x]: вопрос импортирован как черновик"
    ]
    assert page.locator("input[name=payload]").count() == 1


def test_an_unrecognised_file_shows_an_example_of_each_format_in_russian(
    page, live_server, screenshot, roles
):
    sign_in(page, live_server, "Authors")
    preview(page, live_server, "python.md", NOTHING_RECOGNISED)
    screenshot(page, "nothing-recognised")
    [error] = page.locator("ul.import-problems.errorlist li").all_inner_texts()
    assert error.startswith("строка 1: вопросы не найдены.")
    examples = ["«## Задание 1»", "«* ✅ ответ»", "«### Q1. Вопрос»", "«## Q1»", "«- [x] ответ»"]
    assert [example for example in examples if example not in error] == []
    assert page.locator("input[name=payload]").count() == 0
