"""Migration 0008 renders the HTML of content written before pages stopped rendering."""

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("quizzes", "0007_opaque_values")]
AFTER = [("quizzes", "0008_rendered_html")]


@pytest.fixture
def old_apps():
    yield migrate(BEFORE)
    migrate_to_latest()


def test_rows_and_revisions_get_html_rendered_from_their_own_source(old_apps):
    Quiz = old_apps.get_model("quizzes", "Quiz")
    Question = old_apps.get_model("quizzes", "Question")
    Option = old_apps.get_model("quizzes", "Option")
    QuizRevision = old_apps.get_model("quizzes", "QuizRevision")
    quiz = Quiz.objects.create(title="Старый", slug="old", description="Про **сети**")
    question = Question.objects.create(
        quiz=quiz, position=1, text="Итог:\n- первый\n- второй", explanation="$x^2$"
    )
    Option.objects.create(question=question, position=1, text="`code`", feedback="*да*")
    # The revision candidates saw says something else than the rows now do.
    content = {
        "title": "Старый",
        "description": "Было **раньше**",
        "questions": [
            {
                "id": question.id,
                "text": "Старый текст",
                "kind": "single",
                "explanation": "",
                "points": "1",
                "partial_fraction": "0.5",
                "strategy": "all_or_nothing",
                "options": [{"id": 1, "text": "`old`", "verdict": "correct", "feedback": ""}],
            }
        ],
    }
    QuizRevision.objects.create(quiz=quiz, content=content, content_hash="h")

    apps = migrate(AFTER)

    quiz = apps.get_model("quizzes", "Quiz").objects.get()
    assert quiz.description_html == "<p>Про <strong>сети</strong></p>\n"
    question = apps.get_model("quizzes", "Question").objects.get()
    # The list right after a line of text: CommonMark, not the old collapsed paragraph.
    assert question.text_html == "<p>Итог:</p>\n<ul>\n<li>первый</li>\n<li>второй</li>\n</ul>\n"
    assert question.explanation_html.startswith('<p><math display="inline">')
    option = apps.get_model("quizzes", "Option").objects.get()
    assert (option.text_html, option.feedback_html) == ("<code>code</code>", "<p><em>да</em></p>\n")
    revision = apps.get_model("quizzes", "QuizRevision").objects.get().content
    assert revision["description_html"] == "<p>Было <strong>раньше</strong></p>\n"
    assert revision["questions"][0]["text_html"] == "<p>Старый текст</p>\n"
    assert revision["questions"][0]["explanation_html"] == ""
    assert revision["questions"][0]["options"][0]["text_html"] == "<code>old</code>"
