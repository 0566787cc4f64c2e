"""The largest quiz: QUIZ_MAX_QUESTIONS and QUESTION_MAX_OPTIONS, refused with a message.

Refused at import (the command and the admin's preview) and in the admin (the quiz page's
questions, a question's own page, its options), so every quiz can be answered on one page
(tests/views/test_largest_quiz.py).
"""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from quizzes import formats
from quizzes.models import Option, Question, Quiz
from quizzes.services.importing import ImportRefused, import_quiz
from tests.authoring.forms_html import admin_form_data
from tests.builders import make_large_quiz

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:quizzes_quiz_import")


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.QUIZ_MAX_QUESTIONS = 4
    settings.QUESTION_MAX_OPTIONS = 3


def tasklist(questions: int, options: int = 2, *, crowded: tuple[int, ...] = ()) -> str:
    """A task-list file; questions numbered in `crowded` get one option too many."""
    lines = ["# Большой тест", ""]
    for n in range(1, questions + 1):
        lines += [f"### Q{n}. Вопрос {n}?", ""]
        count = options + 1 if n in crowded else options
        lines += [f"- [{'x' if k == 0 else ' '}] вариант {k}" for k in range(count)]
        lines.append("")
    return "\n".join(lines)


def run_import(tmp_path, text: str, *args: str):
    path = tmp_path / "big.md"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_quiz", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


# --- importing --------------------------------------------------------------------------------


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_command_refuses_a_file_with_too_many_questions(tmp_path, dry_run):
    output = run_import(tmp_path, tasklist(5), *(["--dry-run"] if dry_run else []))

    assert "error: Too many questions: 5, the limit is 4." in output
    assert not Quiz.objects.exists()


def test_the_command_names_the_questions_with_too_many_options(tmp_path):
    output = run_import(tmp_path, tasklist(4, 3, crowded=(2, 4)))

    assert "Too many options in questions 2, 4: the limit is 3 per question." in output
    assert not Quiz.objects.exists() and not Option.objects.exists()


def test_the_command_imports_a_quiz_at_the_limits(tmp_path):
    path = tmp_path / "ok.md"
    path.write_text(tasklist(4, 3), encoding="utf-8")
    call_command("import_quiz", str(path), stdout=StringIO())
    quiz = Quiz.objects.get()
    assert quiz.questions.count() == 4
    assert {q.options.count() for q in quiz.questions.all()} == {3}


def test_the_import_service_writes_nothing_for_a_quiz_too_large():
    parsed = formats.parse(tasklist(5).encode()).quiz
    with translation.override("en"), pytest.raises(ImportRefused, match="Too many questions: 5"):
        import_quiz(parsed=parsed)
    assert not Quiz.objects.exists()


def test_the_admin_preview_refuses_a_file_with_too_many_questions(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("big.md", tasklist(5).encode(), "text/markdown")}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing will be imported until these are fixed in the file" in html
    assert "Too many questions: 5, the limit is 4." in html
    assert 'name="payload"' not in html  # no confirmation offered
    assert not Quiz.objects.exists()


def test_a_limit_lowered_after_the_preview_stops_the_import(admin_client, settings):
    preview = admin_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("ok.md", tasklist(4).encode(), "text/markdown")}
    ).content.decode()
    data = admin_form_data(preview.replace('class="import-confirm"', 'id="confirm"'), "confirm")
    settings.QUIZ_MAX_QUESTIONS = 3

    response = admin_client.post(IMPORT_URL, data, follow=True)

    assert "Too many questions: 4, the limit is 3." in response.content.decode()
    assert not Quiz.objects.exists()


# --- the admin's editing pages ------------------------------------------------------------


def test_the_quiz_page_refuses_questions_beyond_the_limit(admin_client):
    quiz = make_large_quiz(questions=4, options=2)
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="questions-MAX_NUM_FORMS" value="4"' in html  # no "Add another" offered
    data = admin_form_data(html, "quiz_form")
    data.update(
        {
            "questions-TOTAL_FORMS": "5",
            "questions-4-text": "Пятый вопрос",
            "questions-4-kind": "single",
            "questions-4-points": "1",
            "questions-4-published": "on",
            "questions-4-position": "5",
            "questions-4-id": "",
            "questions-4-quiz": str(quiz.pk),
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Too many questions: 5, the limit is 4." in response.content.decode()
    assert quiz.questions.count() == 4


def test_the_quiz_page_of_a_quiz_at_the_limit_still_saves(admin_client):
    quiz = make_large_quiz(questions=4, options=3)
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "quiz_form")
    data["title"] = "Переименованный"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Quiz.objects.get(pk=quiz.pk).title == "Переименованный"


def test_a_question_cannot_be_added_to_a_full_quiz_from_its_own_page(admin_client):
    quiz = make_large_quiz(questions=4, options=2)
    response = admin_client.post(
        reverse("admin:quizzes_question_add"),
        {
            "quiz": quiz.pk,
            "text": "Пятый?",
            "kind": "single",
            "points": "1",
            "partial_fraction": "0.5",
            "grading_strategy": "",
            "explanation": "",
            "published": "",
            "options-TOTAL_FORMS": "0",
            "options-INITIAL_FORMS": "0",
            "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "3",
        },
    )

    assert response.status_code == 200
    assert "Too many questions: 5, the limit is 4." in response.content.decode()
    assert quiz.questions.count() == 4


def test_an_existing_question_of_a_full_quiz_can_still_be_edited(admin_client):
    quiz = make_large_quiz(questions=4, options=2)
    question = quiz.questions.get(position=1)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "question_form")
    data["text"] = "Переписанный вопрос"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Question.objects.get(pk=question.pk).text == "Переписанный вопрос"


def test_a_question_refuses_options_beyond_the_limit(admin_client):
    question = make_large_quiz(questions=1, options=3).questions.get()
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "question_form")
    data.update(
        {
            "options-TOTAL_FORMS": "4",
            "options-3-text": "Четвёртый",
            "options-3-verdict": "incorrect",
            "options-3-feedback": "",
            "options-3-position": "",
            "options-3-question": str(question.pk),
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Too many options: 4, the limit is 3." in response.content.decode()
    assert question.options.count() == 3
