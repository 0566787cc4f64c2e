"""The import preview words the parser's problems in the author's language."""

import pytest

from quizzes.models import Quiz
from tests.authoring.test_admin_import_export import TASKLIST, confirm, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def russian_client(client, author):
    client.force_login(author)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def test_preview_warnings_and_repairs_are_in_russian(russian_client):
    # Russian text once read as Mac OS Roman and saved again: repaired, and reported.
    data = TASKLIST.encode().decode("mac_roman").encode()
    html = upload(russian_client, data, slug="python-basics").content.decode()
    repair = "исправлены «кракозябры»: текст в UTF-8 был прочитан как Mac OS Roman"
    assert f"Исправлено: {repair}" in html
    assert "строка 16: ни один вариант не отмечен [x]: вопрос импортирован как черновик" in html
    assert "imported as a draft" not in html and "repaired mojibake" not in html


def test_warnings_after_the_import_are_in_russian(russian_client):
    preview = upload(russian_client, TASKLIST.encode(), slug="python-basics").content.decode()
    page = russian_client.get(confirm(russian_client, preview)["Location"]).content.decode()
    assert "Строка 16: ни один вариант не отмечен [x]: вопрос импортирован как черновик" in page
    assert Quiz.objects.filter(slug="python-basics").exists()


def test_a_file_with_errors_is_explained_in_russian(russian_client):
    html = upload(russian_client, "# Тест\n\n## Задание 1\n\nВопрос?\n".encode()).content.decode()
    assert "строка 3:" in html
    assert "у «Задание 1» нет вариантов (ожидаются пункты вроде «* ✅ ответ»)" in html
    assert 'name="payload"' not in html


def test_an_unrecognised_file_shows_what_each_format_expects(russian_client):
    text = "# Тест\n\nQ1) Какой?\n\na) этот\nb) тот\n"
    html = upload(russian_client, text.encode()).content.decode()
    assert "вопросы не найдены." in html
    for example in ("«## Задание 1»", "«* ✅ ответ»", "«### Q1. Вопрос»", "«- [x] ответ»"):
        assert example in html
