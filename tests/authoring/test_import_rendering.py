"""Imports refuse texts the renderer would not render and warn about unreadable formulas,
naming the question, the field and the line; nothing is written when a text is refused."""

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from quizzes import markup
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:quizzes_quiz_import")


def quiz_file(explanation: str) -> bytes:
    return (
        "# Тест с формулами\n\n"
        "### Q1. Что такое softmax?\n\n"
        "- [x] Нормировка в вероятности\n"
        "- [ ] Функция потерь\n\n"
        "### Q2. Второй вопрос?\n\n"
        "- [x] Да\n"
        "- [ ] Нет\n\n"
        f"{explanation}\n"
    ).encode()


def preview(client, data: bytes) -> str:
    upload = SimpleUploadedFile("quiz.md", data, "text/markdown")
    response = client.post(IMPORT_URL, {"file": upload}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    return response.content.decode()


def test_a_deeply_nested_explanation_is_refused_naming_question_field_and_line(admin_client):
    nested = "\n".join("  " * depth + "- пункт" for depth in range(40))
    html = preview(admin_client, quiz_file(f"Объяснение:\n\n{nested}"))

    line = re.search(r"Вопрос 2, объяснение: Строка (\d+): Списки и цитаты вложены", html)
    assert line, html[html.find("import-problems") :][:800]
    # The first item nested beyond the limit: each list costs two parser levels (list and
    # item), and an item's text two more (paragraph and inline).
    assert int(line.group(1)) == 3 + (markup.MAX_NESTING - 1) // 2
    assert 'name="payload"' not in html  # no confirmation offered
    assert not Quiz.objects.exists()


def test_an_unreadable_formula_is_imported_as_source_with_a_warning(admin_client):
    html = preview(admin_client, quiz_file("Ответ:\n\nсм. $\\frac{a$ выше"))

    assert "Вопрос 2, объяснение: Строка 3: Эту формулу не удалось разобрать" in html
    assert 'name="payload"' in html  # a warning does not stop the import


def test_the_command_refuses_a_text_over_the_limit_and_writes_nothing(tmp_path):
    path = tmp_path / "long.md"
    path.write_bytes(quiz_file("x" * (markup.MAX_TEXT_CHARS + 1)))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_quiz", str(path), stdout=out, stderr=err)
    assert "Question 2, explanation: Line 1: The text is 10001 characters long" in (
        out.getvalue() + err.getvalue()
    )
    assert not Quiz.objects.exists()
