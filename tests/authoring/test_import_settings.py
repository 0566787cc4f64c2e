"""Quiz settings through import and export: safe defaults, a file's settings line, the preview."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from quizzes.models import Quiz
from tests.authoring.test_admin_import_export import confirm, upload
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

SILENT = """# Найм

## Задание 1

**2+2?**

* ✅ 4
* ❌ 5
"""
PRACTICE = SILENT.replace("# Найм\n", "# Найм\n\n<!-- quizsite: practice time-limit=20m -->\n")
STATED = SILENT.replace(
    "# Найм\n",
    "# Найм\n\n<!-- quizsite: access=public review-after-attempt=score "
    "review-after-close=correctness time-limit=90s -->\n",
)


def import_text(tmp_path, text: str) -> str:
    path = tmp_path / "quiz.md"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_quiz", str(path), "--slug", "naim", stdout=out)
    return out.getvalue()


def settings_of(quiz: Quiz) -> tuple:
    quiz.refresh_from_db()
    return (
        quiz.practice,
        quiz.access,
        quiz.review_after_attempt,
        quiz.review_after_close,
        quiz.time_limit,
    )


DEFAULTS = (False, "invite", "thanks", "full", None)


def test_a_quiz_created_from_a_file_that_says_nothing_gets_the_safe_defaults(tmp_path):
    assert "created" in import_text(tmp_path, SILENT)
    assert settings_of(Quiz.objects.get(slug="naim")) == DEFAULTS


def test_a_quiz_created_from_a_practice_file_is_a_practice_quiz(tmp_path):
    import_text(tmp_path, PRACTICE)
    quiz = Quiz.objects.get(slug="naim")
    assert settings_of(quiz) == (True, "public", "full", "full", timedelta(minutes=20))
    assert quiz.review_shown() is Quiz.ReviewPolicy.FULL


def test_reimporting_a_file_that_says_nothing_keeps_the_quiz_settings(tmp_path):
    import_text(tmp_path, PRACTICE)
    quiz = Quiz.objects.get(slug="naim")
    before = settings_of(quiz)
    out = import_text(tmp_path, SILENT)
    assert "unchanged" in out
    assert settings_of(quiz) == before


def test_reimporting_a_settings_line_sets_what_it_states(tmp_path):
    import_text(tmp_path, PRACTICE)
    quiz = Quiz.objects.get(slug="naim")
    out = import_text(tmp_path, STATED)
    assert "settings changed" in out
    assert settings_of(quiz) == (False, "public", "score", "correctness", timedelta(seconds=90))
    assert "unchanged" in import_text(tmp_path, STATED)


def test_a_settings_line_leaves_out_what_it_does_not_state(tmp_path):
    make_quiz(title="Найм", slug="naim", access="public", time_limit=timedelta(minutes=5))
    import_text(tmp_path, SILENT.replace("# Найм\n", "# Найм\n<!-- quizsite: time-limit=none -->"))
    assert settings_of(Quiz.objects.get(slug="naim")) == (False, "public", "thanks", "full", None)


def test_export_writes_every_setting_and_reimports_to_the_same(tmp_path):
    quiz = make_quiz(
        title="Экспорт",
        slug="export",
        access="public",
        review_after_attempt="correctness",
        review_after_close="score",
        time_limit=timedelta(minutes=45),
    )
    out = StringIO()
    call_command("export_quiz", "export", stdout=out)
    text = out.getvalue()
    assert text.startswith(
        "# Экспорт\n\n<!-- quizsite: access=public review-after-attempt=correctness "
        "review-after-close=score time-limit=45m -->\n"
    )
    Quiz.objects.filter(pk=quiz.pk).update(access="invite", time_limit=None)
    path = tmp_path / "export.md"
    path.write_text(text, encoding="utf-8")
    call_command("import_quiz", str(path), "--slug", "export", stdout=StringIO())
    assert settings_of(quiz) == (
        False,
        "public",
        "correctness",
        "score",
        timedelta(minutes=45),
    )


def test_a_practice_quiz_exports_as_practice(capsys):
    quiz = make_quiz(title="Практика", slug="practice")
    quiz.set_practice()
    quiz.save()
    call_command("export_quiz", "practice", "--format", "tasklist")
    assert capsys.readouterr().out.startswith(
        "# Практика\n\n<!-- quizsite: practice time-limit=none -->\n"
    )


# --- the admin's preview ----------------------------------------------------------------------


def test_the_preview_of_a_new_quiz_lists_the_defaults_it_gets(admin_client):
    html = upload(admin_client, SILENT.encode()).content.decode()
    assert "The file sets no quiz settings, so the new quiz gets the safe defaults:" in html
    assert "Access: <strong>Invite only</strong>" in html
    assert "Practice quiz: <strong>no</strong>" in html
    assert (
        "Review after the quiz closes: <strong>Full review with verdicts and explanations</strong>"
    ) in html


def test_the_preview_lists_the_settings_a_file_changes_and_confirming_applies_them(admin_client):
    quiz = make_quiz(title="Найм", slug="naim")
    preview = upload(admin_client, PRACTICE.encode(), slug="naim").content.decode()
    assert "Quiz settings the file changes:" in preview
    assert "Practice quiz: no → <strong>yes</strong>" in preview
    assert "Access: Invite only → <strong>Public: anyone can start from the home page</strong>" in (
        preview
    )
    assert "Time limit: none → <strong>0:20:00</strong>" in preview
    assert "Review after the quiz closes" not in preview  # already full: unchanged
    assert settings_of(quiz) == DEFAULTS  # nothing written before the confirmation
    confirm(admin_client, preview)
    assert settings_of(quiz) == (True, "public", "full", "full", timedelta(minutes=20))


def test_the_preview_says_when_a_quiz_keeps_its_settings(admin_client):
    make_quiz(title="Найм", slug="naim", access="public")
    html = upload(admin_client, SILENT.encode(), slug="naim").content.decode()
    assert "The file sets no quiz settings: the quiz keeps its own." in html
