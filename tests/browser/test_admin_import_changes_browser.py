"""The import preview in the Russian admin, in a real Chromium, as an Author: an exported file
with one verdict edited shows exactly that change; the page offers both formats' samples."""

import pytest

from quizzes import formats
from quizzes.selectors.authoring import parsed_quiz
from quizzes.services.importing import import_quiz
from tests.browser.test_admin_live_preview_browser import sign_in_as_author
from tests.formats._paths import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = REPO_ROOT / "fixtures" / "dl-nlp-cv.ru.md"


def test_an_author_sees_the_one_verdict_changed_in_an_exported_file(
    page, live_server, screenshot, roles, tmp_path
):
    quiz = import_quiz(parsed=formats.parse(FIXTURE.read_bytes()).quiz, slug="dl").quiz
    text = formats.write(parsed_quiz(quiz), formats.TASKLIST)
    edited = tmp_path / "dl.tasklist.md"
    edited.write_text(text.replace("- [ ] Полносвязный слой\n", "- [x] Полносвязный слой\n"))
    sign_in_as_author(page, live_server)
    page.goto(f"{live_server.url}/admin/quizzes/quiz/import/")

    page.set_input_files("input[type=file]", str(edited))
    page.fill("input[name=slug]", "dl")
    page.locator(".import-upload input[type=submit]").click()
    page.wait_for_load_state()

    statuses = page.locator(".import-question .import-status").all_inner_texts()
    assert [status.strip().lower() for status in statuses] == [
        "изменён",
        "без изменений",
        "без изменений",
    ]
    changes = page.locator(".import-changes")
    assert changes.count() == 1
    # The verdicts' words are there for screen readers (visually hidden).
    assert [" ".join(text.split()) for text in changes.locator("li").all_inner_texts()] == [
        "вариант 2 «Полносвязный слой»: ❌ неверно: → ✅ верно:"
    ]
    page.locator(".import-formats details").first.click()
    screenshot(page, "import-changes")
    links = page.locator(".import-formats a.button")
    assert links.all_inner_texts() == ["Скачать пример", "Скачать пример"]
    with page.expect_download() as download:
        links.nth(1).click()
    assert download.value.suggested_filename == "sample.tasklist.md"
    assert formats.parse(download.value.path().read_bytes()).warnings == []
