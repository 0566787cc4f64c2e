"""Saving in the admin stores texts normalised; a save without changes writes and logs nothing.

The forms are posted as a browser posts them: text areas with CRLF line breaks.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from quizzes import formats
from quizzes.models import Question, Quiz
from quizzes.selectors.authoring import import_plan, parsed_quiz
from tests.authoring.forms_html import admin_form_data
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

MULTILINE = "Первый абзац.\n\n```python\nx = 1\n```\n\nСтрока  \nс переносом"


def writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def quiz_with_multiline_texts() -> Quiz:
    quiz = make_quiz(
        description=MULTILINE,
        time_limit=timedelta(minutes=20),
        closes_at=timezone.now() + timedelta(days=3, microseconds=123),
        pass_mark=60,
    )
    question = quiz.questions.get(position=1)
    question.text, question.explanation = MULTILINE, MULTILINE
    question.save()
    option = question.options.get(position=1)
    option.feedback = MULTILINE
    option.save()
    return quiz


def post_untouched(client, url: str, form_id: str):
    data = admin_form_data(client.get(url).content.decode(), form_id)
    assert any("\r\n" in value for value in data.values() if isinstance(value, str))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {**data, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return queries


def test_saving_an_untouched_question_page_writes_nothing_and_adds_no_history(admin_client):
    question = quiz_with_multiline_texts().questions.get(position=1)
    url = reverse("admin:quizzes_question_change", args=[question.pk])

    queries = post_untouched(admin_client, url, "question_form")

    assert writes(queries) == []
    assert not LogEntry.objects.exists()
    history = admin_client.get(reverse("admin:quizzes_question_history", args=[question.pk]))
    assert "No fields changed" not in history.content.decode()
    question.refresh_from_db()
    assert question.text == MULTILINE


def test_saving_an_untouched_quiz_page_writes_nothing_and_adds_no_history(admin_client):
    quiz = quiz_with_multiline_texts()
    updated_at = quiz.updated_at

    queries = post_untouched(
        admin_client, reverse("admin:quizzes_quiz_change", args=[quiz.pk]), "quiz_form"
    )

    assert writes(queries) == []
    assert not LogEntry.objects.exists()
    quiz.refresh_from_db()
    assert quiz.updated_at == updated_at and quiz.description == MULTILINE


def test_a_row_stored_with_crlf_earlier_is_no_change_and_still_exports(admin_client):
    quiz = make_quiz()
    Question.objects.filter(quiz=quiz, position=1).update(text="Было\r\nсохранено с CRLF")
    question = quiz.questions.get(position=1)

    post_untouched(
        admin_client,
        reverse("admin:quizzes_question_change", args=[question.pk]),
        "question_form",
    )

    assert not LogEntry.objects.exists()
    for fmt in formats.FORMATS:
        written = formats.write(parsed_quiz(quiz), fmt)
        assert "Было\nсохранено с CRLF" in written and "\r" not in written


def test_an_edit_stores_lf_without_trailing_noise_and_logs_only_that_field(admin_client):
    question = make_quiz().questions.get(position=2)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "question_form")
    data["explanation"] = "Первая строка  \r\nвторая \t\r\n\r\n  \r\n"

    response = admin_client.post(url, {**data, "_continue": "1"})

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.explanation == "Первая строка  \nвторая"
    assert question.explanation_html.count("<br") == 1
    entry = LogEntry.objects.get()
    assert entry.get_change_message() == "Changed Explanation."


def test_an_option_edited_with_crlf_is_stored_normalised(admin_client):
    question = make_quiz().questions.get(position=3)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "question_form")
    data["options-1-feedback"] = "Нет:\r\nне переобучение. \r\n"

    assert admin_client.post(url, {**data, "_continue": "1"}).status_code == 302

    assert question.options.get(position=2).feedback == "Нет:\nне переобучение."
    assert LogEntry.objects.get().get_change_message() == (
        "Changed Feedback for option “Переобучение”."
    )


def test_an_edited_quiz_exports_and_reimports_with_no_changes_reported(admin_client):
    quiz = quiz_with_multiline_texts()
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "quiz_form")
    data["description"] = "Новое описание \r\nв две строки\r\n"
    assert admin_client.post(url, data).status_code == 302
    quiz.refresh_from_db()

    for fmt in formats.FORMATS:
        result = formats.parse(formats.write(parsed_quiz(quiz), fmt).encode(), format=fmt)
        assert result.ok, result.errors
        plan = import_plan(result.quiz, quiz.slug)
        assert (plan.added, plan.changed, plan.removed) == (0, 0, [])
        assert plan.unchanged == 3 and plan.settings == []
        assert result.quiz.description == "Новое описание\nв две строки"


def test_an_unclosed_code_block_is_refused_with_what_to_do(admin_client):
    question = make_quiz().questions.get(position=2)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "question_form")
    data["explanation"] = "Пример:\r\n\r\n```python\r\nprint(1)\r\n"

    response = admin_client.post(url, {**data, "_continue": "1"})

    assert response.status_code == 200
    assert "Line 3 opens a code block that is never closed" in response.content.decode()
    question.refresh_from_db()
    assert question.explanation == "Объяснение **2**"


def test_a_file_whose_last_code_block_is_never_closed_is_refused_with_its_place():
    from quizzes.services.importing import ImportRefused, import_quiz, text_problems

    result = formats.parse(
        "# Т\n\n## Задание 1\n\n**Вопрос**\n\n* ✅ да\n* ❌ нет\n\n---\n\n### Объяснение\n\n"
        "Пример:\n\n```python\nprint(1)\n".encode(),
        format="seed",
    )
    assert result.ok
    with translation.override("en"):
        errors, _warnings = text_problems(result.quiz)
    assert errors == [
        "Question 1, explanation: Line 3 opens a code block that is never closed: add a "
        "line ``` after the code."
    ]
    with pytest.raises(ImportRefused):
        import_quiz(parsed=result.quiz, slug="open-fence")
    assert not Quiz.objects.filter(slug="open-fence").exists()
