"""Whatever the admin accepts exports in both formats and imports back unchanged.

Generated texts are typed into the admin's forms as a browser posts them (CRLF line
breaks, trailing spaces and tabs, markdown punctuation, code blocks, any script); the
quiz is exported, the file parsed and imported as a new quiz, and the import preview
against the original must report no change.
"""

import itertools

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from quizzes import formats
from quizzes.models import Quiz
from quizzes.selectors.authoring import import_plan, parsed_quiz
from quizzes.services.importing import import_quiz
from tests.authoring.forms_html import add_inline_rows, admin_form_data
from tests.authoring.test_export_round_trip import stored_content
from tests.formats.test_round_trip import code_block, tricky_lines

pytestmark = pytest.mark.django_db

_numbers = itertools.count()

characters = st.characters(
    codec="utf-8",
    # No NUL (forms refuse it) and no other control characters but the tab: they are
    # not typed into a text area.
    exclude_categories=["Cs", "Cc"],
    include_characters="\t",
)
words = st.text(characters, min_size=1, max_size=12)
markdownish = st.text(st.sampled_from([*"*_`#>-+.:!?()[]\\~|<&ЖжЁё✅❌⚠️ \t"]), max_size=10)
noise = st.sampled_from(["", " ", "  ", "   ", "\t", " \t"])


@st.composite
def typed_text(draw, *, required: bool):
    """A text area's content as posted: lines with trailing noise, CRLF or LF between them."""
    parts = draw(st.lists(st.one_of(words, markdownish, tricky_lines, code_block()), max_size=5))
    lines = [part + draw(noise) for part in "\n".join(parts).split("\n")]
    text = draw(st.sampled_from(["\r\n", "\n"])).join(lines)
    if required and not text.strip():
        text = draw(words.filter(str.strip))
    return draw(st.sampled_from(["", "\r\n", "  \r\n"])) + text + draw(noise)


@st.composite
def authored(draw):
    """A quiz description and one question with 2-5 options, as typed into the admin."""
    kind = draw(st.sampled_from(["single", "multiple"]))
    count = draw(st.integers(2, 5))
    verdicts = draw(st.lists(st.sampled_from(["incorrect", "partial"]), min_size=count))
    verdicts = verdicts[:count]
    correct = draw(st.lists(st.integers(0, count - 1), min_size=1, unique=True))
    for index in correct if kind == "multiple" else correct[:1]:
        verdicts[index] = "correct"
    options = [
        (draw(typed_text(required=True)), verdict, draw(typed_text(required=False)))
        for verdict in verdicts
    ]
    return {
        "description": draw(typed_text(required=False)),
        "text": draw(typed_text(required=True)),
        "explanation": draw(typed_text(required=False)),
        "kind": kind,
        "options": options,
    }


def create_in_admin(client, content: dict) -> Quiz | None:
    """The quiz and its question created through the admin's pages; None if refused."""
    number = next(_numbers)
    html = client.get("/admin/quizzes/quiz/add/").content.decode()
    data = admin_form_data(html, "quiz_form")
    data.update(title=f"Тест {number}", slug=f"typed-{number}", description=content["description"])
    if client.post("/admin/quizzes/quiz/add/", data).status_code != 302:
        return None
    quiz = Quiz.objects.get(slug=f"typed-{number}")
    html = client.get("/admin/quizzes/question/add/").content.decode()
    data = admin_form_data(html, "question_form")
    rows = add_inline_rows(html, "question_form", data, "options", len(content["options"]))
    data.update(quiz=str(quiz.pk), text=content["text"], explanation=content["explanation"])
    data["kind"] = content["kind"]
    for index, (text, verdict, feedback) in zip(rows, content["options"], strict=True):
        data.update(
            {
                f"options-{index}-text": text,
                f"options-{index}-verdict": verdict,
                f"options-{index}-feedback": feedback,
            }
        )
    if client.post("/admin/quizzes/question/add/", data).status_code != 302:
        return None
    return quiz


@pytest.mark.parametrize("fmt", formats.FORMATS)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(content=authored())
def test_what_the_admin_accepts_round_trips_through_export_and_import(admin_client, fmt, content):
    quiz = create_in_admin(admin_client, content)
    if quiz is None:
        reject()  # refused with a message, e.g. a code block left open

    written = formats.write(parsed_quiz(quiz), fmt)
    result = formats.parse(written.encode("utf-8"), format=fmt)

    assert result.ok, (result.errors, written)
    plan = import_plan(result.quiz, quiz.slug)
    assert (plan.added, plan.changed, plan.removed, plan.settings) == (0, 0, [], []), written
    copy = import_quiz(parsed=result.quiz, slug=f"{quiz.slug}-again").quiz
    assert stored_content(copy) == stored_content(quiz), written
    assert copy.description == quiz.description
    assert "\r" not in written
