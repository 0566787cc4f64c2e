"""Admin upload with a dry-run preview, confirmation, and the export actions."""

import io
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import Question, Quiz
from tests.authoring.forms_html import admin_form_data
from tests.builders import make_quiz
from tests.formats._paths import CORPUS_DIR, REPO_ROOT, require_shared

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/quizzes/quiz/import/"
FIXTURE = REPO_ROOT / "fixtures" / "dl-nlp-cv.ru.md"

TASKLIST = """# Основы Python

### Q1. Что выведет `len("abc")`?

- [ ] 2
- [x] 3

Строка из трёх символов.

### Q2. Какие типы неизменяемы?

- [x] tuple
- [x] str
- [ ] list

### Q3. Черновик без ответа

- [ ] да
- [ ] нет
"""


def upload(client, content: bytes, name="quiz.md", **fields):
    return client.post(
        IMPORT_URL, {"file": SimpleUploadedFile(name, content, "text/markdown"), **fields}
    )


def confirm(client, preview_html: str):
    data = admin_form_data(
        preview_html.replace('class="import-confirm"', 'id="confirm"'), "confirm"
    )
    assert "payload" in data, "the preview has no confirm button"
    return client.post(IMPORT_URL, data)


def test_changelist_links_to_the_import_page(admin_client):
    html = admin_client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    assert f'href="{IMPORT_URL}"' in html and "Import from file" in html


def test_preview_shows_questions_verdicts_and_plan_without_writing(admin_client):
    response = upload(admin_client, FIXTURE.read_bytes(), name="dl.md")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview of dl.md" in html
    assert "Format: <strong>seed</strong>, encoding: <strong>utf-8</strong>" in html
    assert (
        "A new quiz “Тестовые задания: DL+NLP+CV” (testovye-zadaniia-dl-nlp-cv) "
        "will be created with 3 questions."
    ) in html
    # Each option follows its verdict's icon and words.
    assert '✅</span><span class="visually-hidden">correct:</span> MaxPooling' in html
    assert (
        '⚠️</span><span class="visually-hidden">acceptable with a caveat:</span> Batch Normalization'
    ) in html
    assert '❌</span><span class="visually-hidden">wrong:</span> Полносвязный слой' in html
    assert "line 8: the table of contents lists" in html  # a warning with its line
    assert Quiz.objects.count() == 0


def test_confirming_imports_and_records_history(admin_client, author):
    preview = upload(admin_client, FIXTURE.read_bytes(), name="dl.md").content.decode()
    response = confirm(admin_client, preview)
    quiz = Quiz.objects.get(slug="testovye-zadaniia-dl-nlp-cv")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    assert quiz.questions.count() == 3 and not quiz.published
    page = admin_client.get(response["Location"]).content.decode()
    assert "Created “Тестовые задания: DL+NLP+CV” with 3 questions." in page
    entry = LogEntry.objects.get(object_id=str(quiz.pk))
    assert entry.user == author and "Imported from dl.md" in entry.get_change_message()


def test_tasklist_draft_cp1251_upload_reports_encoding_and_warning(admin_client):
    html = upload(admin_client, TASKLIST.encode("cp1251"), slug="python-basics").content.decode()
    assert "Format: <strong>tasklist</strong>, encoding: <strong>cp1251</strong>" in html
    assert "line 16: no option marked [x]: imported as a draft" in html
    assert html.count('class="import-draft"') == 1
    confirm(admin_client, html)
    quiz = Quiz.objects.get(slug="python-basics")
    assert list(quiz.questions.values_list("position", "kind", "published")) == [
        (1, "single", True),
        (2, "multiple", True),
        (3, "single", False),
    ]
    assert quiz.questions.get(position=1).explanation == "Строка из трёх символов."


def test_preview_of_an_existing_quiz_counts_added_changed_removed(admin_client):
    quiz = make_quiz(title="Основы Python", slug="python-basics")
    changed = TASKLIST.replace("### Q3. Черновик без ответа\n\n- [ ] да\n- [ ] нет\n", "")
    html = upload(admin_client, changed.encode(), slug="python-basics").content.decode()
    assert (
        "The existing quiz “Основы Python” (python-basics) will be updated: 0 questions added, "
        "2 changed, 1 removed, 0 unchanged."
    ) in html
    assert "Removed questions:" in html and "3. Loss колеблется" in html
    assert quiz.questions.count() == 3
    confirm(admin_client, html)
    assert quiz.questions.count() == 2
    response = upload(admin_client, changed.encode(), slug="python-basics")
    assert "0 questions added, 0 changed, 0 removed, 2 unchanged." in response.content.decode()


def test_file_with_errors_shows_them_with_lines_and_offers_no_import(admin_client):
    html = upload(admin_client, b"# T\n\n## Task 1\n\nQ?\n").content.decode()
    assert "The file has errors; nothing will be imported." in html
    assert "line 3:" in html and "has no options" in html
    assert 'name="payload"' not in html
    assert Quiz.objects.count() == 0


def test_forced_format_is_used(admin_client):
    html = upload(admin_client, FIXTURE.read_bytes(), format="tasklist").content.decode()
    assert "Format: <strong>tasklist</strong>" in html
    assert "The file has errors" in html or "draft" in html


def test_a_tampered_preview_imports_nothing(admin_client):
    html = upload(admin_client, TASKLIST.encode()).content.decode()
    data = admin_form_data(html.replace('class="import-confirm"', 'id="confirm"'), "confirm")
    data["payload"] = data["payload"][:-3] + "abc"
    response = admin_client.post(IMPORT_URL, data, follow=True)
    assert "The preview expired or was altered; nothing was imported." in response.content.decode()
    assert Quiz.objects.count() == 0


def test_import_page_needs_staff_and_permissions(client, django_user_model):
    assert client.get(IMPORT_URL).status_code == 302  # to the login page
    clerk = django_user_model.objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    client.force_login(clerk)
    assert client.get(IMPORT_URL).status_code == 403


def test_preview_sanitizes_imported_markdown(admin_client):
    evil = (
        "# X\n\n### Q1. <script>alert(1)</script>\n\n- [x] <img src=x onerror=alert(2)>\n- [ ] b\n"
    )
    html = upload(admin_client, evil.encode()).content.decode()
    body = html[html.index('class="import-questions"') :]
    assert "<script>alert" not in body and "onerror" not in body


def test_corpus_file_previews_and_imports(admin_client):
    data = require_shared(CORPUS_DIR / "git" / "git-quiz.md").read_bytes()
    html = upload(admin_client, data, name="git-quiz.md").content.decode()
    assert "Format: <strong>tasklist</strong>" in html
    confirm(admin_client, html)
    quiz = Quiz.objects.get()
    assert quiz.questions.count() == html.count('class="import-question ')
    assert quiz.questions.count() > 50


def test_export_action_downloads_one_markdown_file(admin_client):
    quiz = make_quiz(title="Экспорт", slug="export")
    response = admin_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "export_seed", "_selected_action": [quiz.pk]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="export.seed.md"'
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("# Экспорт\n") and "* ⚠️ Batch Normalization" in text


def test_export_action_zips_several_quizzes(admin_client):
    first, second = make_quiz(title="Один", slug="one"), make_quiz(title="Два", slug="two")
    response = admin_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "export_tasklist", "_selected_action": [first.pk, second.pk]},
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["one.tasklist.md", "two.tasklist.md"]
    assert archive.read("two.tasklist.md").decode().startswith("# Два\n")


def test_export_action_reports_content_the_format_cannot_carry(admin_client):
    quiz = make_quiz(slug="fence")
    Question.objects.filter(quiz=quiz, position=1).update(text="```python\nnever closed")
    response = admin_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "export_seed", "_selected_action": [quiz.pk]},
        follow=True,
    )
    assert "cannot be exported in this format" in response.content.decode()
