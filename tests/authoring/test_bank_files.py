"""A question bank goes out as a file and comes back: its own questions, tags, retirement."""

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings

from quizzes import formats
from quizzes.models import Question, QuestionBank
from quizzes.selectors.authoring import parsed_bank, parsed_quiz
from quizzes.services.importing import ImportRefused, import_bank, import_quiz
from quizzes.text import normalized_quiz
from tests.banks import make_bank
from tests.builders import make_quiz
from tests.formats.test_round_trip import as_bank, quizzes, without_lines

pytestmark = pytest.mark.django_db

_slugs = itertools.count()


@pytest.mark.parametrize("fmt", ["seed", "tasklist"])
def test_a_bank_with_tags_and_retired_questions_survives_export_and_import(fmt):
    bank = make_bank("Сети", 4, tags={"CNN": range(1, 3), "основы": range(2, 4)})
    bank.questions.filter(position=4).update(retired=True)
    quiz = make_quiz(title="Тест банка")
    quiz.questions.update(bank=bank)  # a quiz's fixed questions stay out of the bank file

    written = formats.write(parsed_bank(bank), fmt)
    assert "<!-- quizsite: question-bank -->" in written and "Adam" not in written
    copy = import_bank(parsed=formats.parse(written, format=fmt).quiz, slug="seti-2").bank

    def shape(b):
        return [
            (q.text, q.retired, sorted(q.tags.values_list("name", flat=True)))
            for q in Question.objects.filter(bank=b, quiz=None).order_by("position")
        ]

    assert copy.title == "Сети" and shape(copy) == shape(bank)
    assert shape(copy)[1] == ("Сети 2", False, ["CNN", "основы"])


def test_reimporting_a_bank_file_changes_in_place_and_keeps_ids():
    bank = make_bank("Пул", 3)
    ids = list(bank.questions.order_by("position").values_list("id", flat=True))
    parsed = parsed_bank(bank)
    parsed.questions[1].retired = True
    parsed.questions[1].tags = ["новый"]
    summary = import_bank(parsed=parsed, slug=bank.slug)
    assert not summary.created
    assert list(bank.questions.order_by("position").values_list("id", flat=True)) == ids
    second = bank.questions.get(position=2)
    assert second.retired and list(second.tags.values_list("name", flat=True)) == ["новый"]


def test_a_bank_file_is_not_a_quiz_and_a_quiz_file_is_not_a_bank():
    bank_file = parsed_bank(make_bank("Пул", 1))
    quiz_file = parsed_quiz(make_quiz(title="Тест"))
    with translation.override("en"), pytest.raises(ImportRefused, match="bank, not a quiz"):
        import_quiz(parsed=bank_file, slug="x")
    with translation.override("ru"), pytest.raises(ImportRefused, match="тест, а не банк"):
        import_bank(parsed=quiz_file, slug="y")
    assert not QuestionBank.objects.filter(slug="y").exists()


@pytest.mark.parametrize("fmt", ["seed", "tasklist"])
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(bank=quizzes().map(as_bank))
def test_generated_banks_round_trip_through_the_database(fmt, bank):
    slug = f"bank-{next(_slugs)}"
    import_bank(parsed=bank, slug=slug)
    exported = formats.write(parsed_bank(QuestionBank.objects.get(slug=slug)), fmt)
    reparsed = formats.parse(exported, format=fmt)
    assert reparsed.ok, reparsed.errors
    for question in bank.questions:
        question.number = None
    expected = without_lines(normalized_quiz(bank))
    got = without_lines(reparsed.quiz)
    for q in (*expected["questions"], *got["questions"]):
        q["number"] = None
    assert got == expected, exported


def test_the_import_command_fills_a_bank_from_a_bank_file(tmp_path):
    path = tmp_path / "pool.md"
    path.write_text(
        formats.write(parsed_bank(make_bank("Пул", 2, tags={"x": range(1, 2)})), "seed")
    )
    out = StringIO()
    call_command("import_quiz", str(path), "--slug", "pul-kopiya", stdout=out, stderr=out)
    assert "created bank: “Пул” (pul-kopiya), 2 questions" in out.getvalue()
    copy = QuestionBank.objects.get(slug="pul-kopiya")
    assert copy.questions.filter(quiz=None, tags__name="x").count() == 1
    assert not copy.sections.exists()
