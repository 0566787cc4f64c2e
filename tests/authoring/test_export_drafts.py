"""Export of a quiz with a draft question that has no options yet (issue 14).

The quiz page adds questions as drafts without options; the export action and the
export_quiz command must write such a quiz, and importing the file must give it back.
A published question without options is still refused.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from quizzes import formats
from quizzes.models import Question, Quiz
from quizzes.selectors.authoring import parsed_quiz
from quizzes.services.importing import import_quiz
from tests.authoring.forms_html import add_inline_rows, admin_form_data
from tests.authoring.test_export_round_trip import stored_content
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/quizzes/quiz/import/"
FORMATS = ["seed", "tasklist"]


def quiz_with_a_draft_added_on_its_page(client) -> Quiz:
    """A quiz whose fourth question was added on the quiz page: a draft, no options."""
    quiz = make_quiz(title="Черновики", slug="drafts")
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    html = client.get(url).content.decode()
    data = admin_form_data(html, "quiz_form")
    [row] = add_inline_rows(html, "quiz_form", data, "questions", 1)
    data[f"questions-{row}-text"] = "Что делает `git rebase`?"
    data[f"questions-{row}-kind"] = "multiple"
    assert client.post(url, data).status_code == 302
    draft = quiz.questions.get(position=4)
    assert (draft.published, draft.options.count()) == (False, 0)
    # The draft's own page would set it; the export must keep it.
    Question.objects.filter(pk=draft.pk).update(explanation="Переписывает историю.")
    return quiz


def export_action(client, quiz: Quiz, fmt: str, **extra):
    return client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": f"export_{fmt}", "_selected_action": [quiz.pk]},
        **extra,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_action_writes_a_draft_without_options_and_the_import_gives_it_back(
    admin_client, fmt
):
    quiz = quiz_with_a_draft_added_on_its_page(admin_client)
    response = export_action(admin_client, quiz, fmt)
    assert response["Content-Disposition"] == f'attachment; filename="drafts.{fmt}.md"'
    exported = response.content

    preview = admin_client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("drafts.md", exported, "text/markdown"), "slug": "copy"},
    ).content.decode()
    assert "The file has errors" not in preview, preview
    assert f"Format: <strong>{fmt}</strong>" in preview  # detected, not forced
    assert preview.count('class="import-no-options"') == 1
    assert "No options yet." in preview and preview.count('class="import-draft"') == 1

    data = admin_form_data(preview.replace('class="import-confirm"', 'id="confirm"'), "confirm")
    assert admin_client.post(IMPORT_URL, data).status_code == 302
    copy = Quiz.objects.get(slug="copy")
    assert stored_content(copy) == stored_content(quiz)
    assert stored_content(copy)[3][1:5] == (
        "Что делает `git rebase`?",
        "multiple",
        "Переписывает историю.",
        False,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_quiz_writes_a_draft_without_options_that_imports_back(admin_client, fmt, tmp_path):
    quiz = quiz_with_a_draft_added_on_its_page(admin_client)
    target = tmp_path / "drafts.md"
    call_command("export_quiz", "drafts", "--format", fmt, "-o", str(target))
    call_command("import_quiz", str(target), "--slug", "copy", stdout=io.StringIO())
    assert stored_content(Quiz.objects.get(slug="copy")) == stored_content(quiz)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_published_question_without_options_is_still_refused(admin_client, fmt):
    quiz = make_quiz(slug="broken")
    quiz.questions.get(position=2).options.all().delete()
    response = export_action(admin_client, quiz, fmt, follow=True)
    assert "cannot be exported in this format: question 2: no options" in (
        response.content.decode()
    )
    with pytest.raises(CommandError, match=f"Cannot export 'broken' as {fmt}: question 2: no"):
        call_command("export_quiz", "broken", "--format", fmt)


def test_reimporting_a_question_as_a_draft_without_options_removes_its_options():
    quiz = make_quiz(slug="shrink")
    parsed = formats.parse(formats.write(parsed_quiz(quiz), "tasklist")).quiz
    assert parsed is not None
    parsed.questions[1].options = []
    parsed.questions[1].published = False
    summary = import_quiz(parsed=parsed, slug="shrink")
    assert (summary.questions_updated, summary.questions_created) == (1, 0)
    question = quiz.questions.get(position=2)
    assert (question.published, question.options.count()) == (False, 0)
    assert [q.options.count() for q in quiz.questions.order_by("position")] == [6, 0, 4]
