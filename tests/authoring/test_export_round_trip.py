"""Export: the command, and the round trip file -> database -> file -> database."""

import dataclasses
import itertools

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings

from quizzes import formats
from quizzes.models import Quiz
from quizzes.selectors.authoring import import_plan, parsed_quiz
from quizzes.services.importing import import_quiz
from quizzes.text import normalized_quiz
from tests.builders import make_quiz
from tests.formats._paths import CORPUS_DIR, REPO_ROOT, require_shared
from tests.formats.test_round_trip import quizzes as generated_quizzes

pytestmark = pytest.mark.django_db

FIXTURE = REPO_ROOT / "fixtures" / "dl-nlp-cv.ru.md"


def stored_content(quiz: Quiz) -> list:
    """Everything a round trip must keep, in order: questions, options, verdicts, texts."""
    return [
        (
            question.position,
            question.text,
            question.kind,
            question.explanation,
            question.published,
            [
                (option.position, option.text, option.verdict, option.feedback)
                for option in question.options.order_by("position")
            ],
        )
        for question in quiz.questions.order_by("position")
    ]


def import_bytes(data: bytes, slug: str, format=None) -> Quiz:
    result = formats.parse(data, format=format)
    assert result.ok, result.errors
    return import_quiz(parsed=result.quiz, slug=slug).quiz


def test_export_command_writes_utf8_seed_file(tmp_path):
    quiz = make_quiz(title="Экспорт", slug="export")
    target = tmp_path / "out.md"
    call_command("export_quiz", "export", "-o", str(target))
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("# Экспорт\n")
    assert "## Задание 1" in text and "* ⚠️ Batch Normalization" in text
    assert "\r" not in text
    assert stored_content(import_bytes(target.read_bytes(), "export-again")) == stored_content(quiz)


def test_export_command_writes_tasklist_to_stdout(capsys):
    make_quiz(slug="tl")
    call_command("export_quiz", "tl", "--format", "tasklist")
    out = capsys.readouterr().out
    assert "### Q2. Какое утверждение про Adam верное?" in out
    assert "- [x] Он адаптирует learning rate для каждого параметра" in out
    assert "- [~] Batch Normalization" in out


def test_export_of_an_unknown_slug_names_the_known_ones():
    make_quiz(slug="real-one")
    with pytest.raises(CommandError, match=r"No quiz with slug 'typo'. Known slugs: real-one"):
        call_command("export_quiz", "typo")


def test_export_to_an_unwritable_path_is_a_clear_error(tmp_path):
    make_quiz(slug="x")
    with pytest.raises(CommandError, match=r"Cannot write .*missing/dir/out.md"):
        call_command("export_quiz", "x", "-o", str(tmp_path / "missing" / "dir" / "out.md"))


def test_content_a_format_cannot_carry_is_a_clear_error():
    quiz = make_quiz(slug="fence")
    quiz.questions.filter(position=1).update(text="```python\nnever closed")
    with pytest.raises(CommandError, match=r"Cannot export 'fence' as seed: .*code fence"):
        call_command("export_quiz", "fence")


@pytest.mark.parametrize("fmt", ["seed", "tasklist"])
def test_fixture_round_trips_through_the_database(fmt):
    original = import_bytes(FIXTURE.read_bytes(), "fixture")
    exported = formats.write(parsed_quiz(original), fmt)
    copy = import_bytes(exported.encode("utf-8"), "fixture-copy", format=fmt)
    assert stored_content(copy) == stored_content(original)
    assert copy.title == original.title and copy.description == original.description
    assert len(stored_content(copy)) == 3
    assert any(option[2] == "partial" for option in stored_content(copy)[0][5])


@pytest.mark.parametrize("fmt", ["tasklist", "seed"])
def test_corpus_tasklist_file_round_trips_through_the_database(fmt):
    source = require_shared(CORPUS_DIR / "django" / "django-quiz.md")
    original = import_bytes(source.read_bytes(), "django")
    assert original.questions.count() > 50
    assert original.questions.filter(options__text__contains="```").exists() or (
        original.questions.filter(text__contains="```").exists()
    )
    exported = formats.write(parsed_quiz(original), fmt)
    copy = import_bytes(exported.encode("utf-8"), "django-copy", format=fmt)
    assert stored_content(copy) == stored_content(original)


_slugs = itertools.count()


def comparable(quiz: formats.ParsedQuiz) -> dict:
    data = dataclasses.asdict(quiz)
    data["settings"] = dataclasses.asdict(stored_settings(quiz.settings))
    for question in data["questions"]:
        question["line"] = question["number"] = 0
        for option in question["options"]:
            option["line"] = 0
    return data


def stored_settings(stated: formats.QuizSettings | None) -> formats.QuizSettings:
    """The settings a new quiz imported from a file stating `stated` exports.

    What the file leaves out is a new quiz's default; a practice quiz's access and reviews
    follow from `practice` and are not written.
    """
    stated = stated or formats.QuizSettings()
    if stated.practice:
        return formats.QuizSettings(practice=True, time_limit=stated.time_limit or 0)
    return formats.QuizSettings(
        access=stated.access or "invite",
        review_after_attempt=stated.review_after_attempt or "thanks",
        review_after_close=stated.review_after_close or "full",
        time_limit=stated.time_limit or 0,
    )


@pytest.mark.parametrize("fmt", ["seed", "tasklist"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(quiz=generated_quizzes())
def test_generated_quizzes_round_trip_through_the_database(fmt, quiz):
    slug = f"generated-{next(_slugs)}"
    import_quiz(parsed=quiz, slug=slug)
    exported = formats.write(parsed_quiz(Quiz.objects.get(slug=slug)), fmt)
    reparsed = formats.parse(exported.encode("utf-8"), format=fmt)
    assert reparsed.ok, reparsed.errors
    # Imports store texts normalised (quizzes.text): the file's trailing spaces are gone.
    assert comparable(reparsed.quiz) == comparable(normalized_quiz(quiz)), exported
    again = import_quiz(parsed=reparsed.quiz, slug=f"{slug}-again").quiz
    assert stored_content(again) == stored_content(Quiz.objects.get(slug=slug))
    assert parsed_quiz(again).settings == stored_settings(quiz.settings)


@pytest.mark.parametrize("questions", [1, 40])
def test_parsed_quiz_and_import_plan_take_constant_queries(questions, django_assert_num_queries):
    from tests.builders import make_large_quiz

    quiz = make_large_quiz(questions=questions, slug="large")
    with django_assert_num_queries(4):  # questions, their options, their tags, sections
        parsed = parsed_quiz(quiz)
    assert len(parsed.questions) == questions
    with django_assert_num_queries(3):  # the quiz by slug, questions, options
        plan = import_plan(parsed, "large")
    assert plan.unchanged == questions and not plan.removed
