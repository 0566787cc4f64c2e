"""The import page documents both formats, each with a sample file that parses and imports."""

import dataclasses

import pytest
from django.urls import reverse
from django.utils import translation

from quizzes import formats
from quizzes.admin.samples import sample_quiz
from quizzes.models import Quiz
from tests.authoring.test_admin_import_export import IMPORT_URL, confirm, upload

pytestmark = pytest.mark.django_db


def sample_url(format: str) -> str:
    return reverse("admin:quizzes_quiz_import_sample", args=[format])


def without_lines(quiz: formats.ParsedQuiz) -> formats.ParsedQuiz:
    questions = [
        dataclasses.replace(
            question,
            line=0,
            options=[dataclasses.replace(option, line=0) for option in question.options],
        )
        for question in quiz.questions
    ]
    return dataclasses.replace(quiz, questions=questions)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("format", formats.FORMATS)
def test_each_sample_downloads_and_parses_back_to_the_sample_without_a_warning(
    admin_client, format, language
):
    response = admin_client.get(sample_url(format), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="sample.{format}.md"'
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    result = formats.parse(response.content)
    assert (result.format, result.errors, result.warnings) == (format, [], [])
    with translation.override(language):
        expected = sample_quiz()
    assert without_lines(result.quiz) == expected


def test_the_russian_sample_is_in_russian(admin_client):
    text = admin_client.get(sample_url("tasklist"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert text.startswith("# Пример теста\n")
    assert "### Q1. Каким ключевым словом в Python определяют функцию?" in text


@pytest.mark.parametrize("format", formats.FORMATS)
def test_each_sample_imports_through_the_import_page(admin_client, format):
    content = admin_client.get(sample_url(format)).content
    preview = upload(admin_client, content, name=f"sample.{format}.md").content.decode()
    assert "Warnings" not in preview and "errornote" not in preview
    confirm(admin_client, preview)
    quiz = Quiz.objects.get(slug="sample-quiz")
    assert (quiz.title, quiz.time_limit.total_seconds()) == ("Sample quiz", 600)
    assert list(quiz.questions.values_list("kind", flat=True)) == ["single", "multiple"]
    verdicts = quiz.questions.get(position=1).options.order_by("position")
    assert list(verdicts.values_list("verdict", flat=True)) == ["correct", "incorrect", "partial"]


def test_the_import_page_describes_both_formats_and_links_their_samples(admin_client):
    html = admin_client.get(IMPORT_URL).content.decode()
    assert "File formats" in html
    assert "A “## Задание N” heading per question" in html
    assert "A “### Q1.” heading per question" in html
    for format in formats.FORMATS:
        assert f'href="{sample_url(format)}" download' in html
    # The samples are shown as source, escaped: their settings line is no HTML comment.
    section = html.split('class="import-formats"')[1].split("</section>")[0]
    assert "<!--" not in section
    assert "&lt;!-- quizsite: access=invite review-after-attempt=thanks" in html


def test_the_import_page_describes_the_formats_in_russian(client, author):
    client.force_login(author)
    html = client.get(IMPORT_URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Форматы файлов" in html and "Скачать пример" in html


def test_an_unknown_format_has_no_sample(admin_client):
    assert admin_client.get(sample_url("docx")).status_code == 404


def test_staff_who_may_not_import_get_no_sample(client, django_user_model):
    assert client.get(sample_url("seed")).status_code == 302  # to the login page
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(sample_url("seed")).status_code == 403
