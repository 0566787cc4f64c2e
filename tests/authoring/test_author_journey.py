"""An author, tried as a new user would: upload, preview, fix a verdict, export again."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quizzes import formats
from quizzes.models import Quiz
from tests.authoring.forms_html import admin_form_data

pytestmark = pytest.mark.django_db

FILE = """# Git для начинающих

### Q1. Какая команда создаёт репозиторий?

- [x] `git init`
- [ ] `git start`

### Q2. Какая команда показывает историю?

- [ ] `git status`
- [ ] `git log`
- [ ] `git diff`
"""


def test_author_uploads_previews_fixes_a_verdict_and_exports(client, django_user_model):
    django_user_model.objects.create_superuser("maria", "maria@example.com", "s3cret-pass")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_through_the_form(client)
    import_url, preview = upload_for_preview(client)
    quiz, quiz_page = confirm_the_import(client, import_url, preview)
    draft = quiz.questions.get(position=2)
    assert not draft.published
    mark_git_log_correct_and_publish(client, draft, quiz_page)
    check_the_history_names_the_author(client, draft)
    export_and_parse_again(client, quiz)


def log_in_through_the_form(client):
    """Log in through the login form, like a person."""
    login = client.get("/admin/login/?next=/admin/")
    assert 'name="username"' in login.content.decode()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "maria", "password": "s3cret-pass"}
    )
    assert response["Location"] == "/admin/"


def upload_for_preview(client):
    """The quiz list offers an import link; follow it and upload the file."""
    changelist = client.get("/admin/quizzes/quiz/").content.decode()
    import_url = re.search(r'href="([^"]+)" class="addlink">Import from file', changelist)[1]
    preview = client.post(
        import_url,
        {"file": SimpleUploadedFile("git.md", FILE.encode("utf-8")), "slug": "git-basics"},
    ).content.decode()
    assert "A new quiz “Git для начинающих” (git-basics) will be created with 2 questions." in (
        preview
    )
    assert "no option marked [x]: imported as a draft" in preview
    assert not Quiz.objects.exists()
    return import_url, preview


def confirm_the_import(client, import_url, preview):
    """Confirm: the quiz is created and the author lands on its page."""
    data = admin_form_data(preview.replace('class="import-confirm"', 'id="confirm"'), "confirm")
    response = client.post(import_url, data, follow=True)
    quiz = Quiz.objects.get(slug="git-basics")
    assert response.redirect_chain[-1][0] == f"/admin/quizzes/quiz/{quiz.pk}/change/"
    quiz_page = response.content.decode()
    assert "Created “Git для начинающих” with 2 questions." in quiz_page
    return quiz, quiz_page


def mark_git_log_correct_and_publish(client, draft, quiz_page):
    """Open the draft from the quiz page, mark `git log` correct and publish it."""
    question_url = re.search(
        rf'href="(/admin/quizzes/question/{draft.pk}/change/[^"]*)"', quiz_page
    )[1]
    form = admin_form_data(client.get(question_url).content.decode(), "question_form")
    index = next(
        i
        for i in range(int(form["options-TOTAL_FORMS"]))
        if form[f"options-{i}-text"] == "`git log`"
    )
    form[f"options-{index}-verdict"] = "correct"
    form["published"] = "on"
    response = client.post(question_url, {**form, "_continue": "1"}, follow=True)
    page = response.content.decode()
    assert "was changed successfully" in page
    assert "<code>git log</code>" in page  # the preview shows the saved question
    draft.refresh_from_db()
    assert draft.published
    assert draft.options.get(text="`git log`").verdict == "correct"


def check_the_history_names_the_author(client, draft):
    """The history of the question says who changed the verdict."""
    history = client.get(f"/admin/quizzes/question/{draft.pk}/history/").content.decode()
    assert "maria" in history and "Changed Verdict for option “`git log`”" in history


def export_and_parse_again(client, quiz):
    """Export the quiz again: the fixed verdict is in the file, and it imports cleanly."""
    response = client.post(
        "/admin/quizzes/quiz/", {"action": "export_tasklist", "_selected_action": [quiz.pk]}
    )
    exported = response.content.decode("utf-8")
    assert "- [x] `git log`" in exported and "- [ ] `git status`" in exported
    result = formats.parse(exported.encode())
    assert result.ok and result.warnings == []
    assert [q.published for q in result.quiz.questions] == [True, True]
