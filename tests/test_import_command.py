"""`manage.py import_quiz`: the seed, repairs, idempotency, reports and bad input."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from quizzes.models import Attempt, Option, Question, Quiz
from quizzes.services.attempts import start_attempt
from tests.formats._paths import require_shared

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_85b154780722bf15.txt"
FIXTURE = REPO / "fixtures" / "dl-nlp-cv.ru.md"

EXPECTED = [
    (
        "multiple",
        [
            ("MaxPooling", "correct"),
            ("Полносвязный слой", "incorrect"),
            ("Dropout", "correct"),
            ("Слой свертки", "incorrect"),
            ("Batch Normalization", "partial"),
            ("ReLU", "correct"),
        ],
    ),
    (
        "single",
        [
            ("Он адаптирует learning rate для каждого параметра", "correct"),
            ("Он не требует learning rate", "incorrect"),
            ("Он не хранит past gradients", "incorrect"),
            ("Он всегда сходится быстрее, чем SGD", "incorrect"),
        ],
    ),
    (
        "single",
        [
            ("Взрыв градиентов", "correct"),
            ("Переобучение", "incorrect"),
            ("Затухание градиентов", "incorrect"),
            ("Норма входного вектора равна нулю в слое нормализации", "incorrect"),
        ],
    ),
]


def run(*args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_quiz", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_content(quiz: Quiz):
    return [
        (q.kind, [(o.text, o.verdict) for o in q.options.order_by("position")])
        for q in quiz.questions.order_by("position")
    ]


@pytest.fixture
def seed_path():
    return require_shared(SEED)


def test_the_seed_imports_exactly_with_feedback_and_warnings(seed_path):
    out, _ = run(str(seed_path))

    quiz = Quiz.objects.get()
    assert quiz.title == "Тестовые задания: DL+NLP+CV"
    assert quiz.published
    assert stored_content(quiz) == EXPECTED
    assert not Option.objects.filter(feedback="").exists()
    first = quiz.questions.get(position=1)
    assert (
        first.text == "Какие из следующих слоев нейронной сети не обновляются при backpropagation?"
    )
    assert first.explanation.startswith("При обратном распространении ошибки")
    assert "Чисто функциональный слой" in first.options.get(text="MaxPooling").feedback
    assert "mojibake" in out.lower() or "mac os roman" in out.lower()
    assert out.count("warning") == 3
    for number in (4, 5, 6):
        assert f"Задание {number}" in out


def test_the_fixture_is_the_repaired_seed(seed_path):
    run(str(FIXTURE))
    assert stored_content(Quiz.objects.get()) == EXPECTED
    repaired = seed_path.read_text(encoding="utf-8").encode("mac_roman").decode("utf-8")
    title, rest = repaired.split("\n\n", 1)
    # Plus the line that makes it a practice quiz (tests/views/test_seed_quiz.py).
    assert (
        FIXTURE.read_text(encoding="utf-8") == f"{title}\n\n<!-- quizsite: practice -->\n\n{rest}"
    )


def test_importing_twice_changes_nothing_and_keeps_attempts():
    run(str(FIXTURE))
    quiz = Quiz.objects.get()
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    snapshot = (
        list(Question.objects.values().order_by("id")),
        list(Option.objects.values().order_by("id")),
        Quiz.objects.values().get(),
    )

    out, _ = run(str(FIXTURE))

    assert "unchanged" in out
    assert snapshot == (
        list(Question.objects.values().order_by("id")),
        list(Option.objects.values().order_by("id")),
        Quiz.objects.values().get(),
    )
    assert Attempt.objects.filter(pk=attempt.pk).exists()


def test_reimport_updates_in_place_keeping_ids(tmp_path):
    run(str(FIXTURE))
    ids = list(Option.objects.order_by("id").values_list("id", flat=True))
    edited = tmp_path / "edited.md"
    edited.write_text(
        FIXTURE.read_text(encoding="utf-8").replace(
            "* ❌ Он не требует learning rate", "* ✅ Он не требует learning rate"
        ),
        encoding="utf-8",
    )

    out, _ = run(str(edited))

    assert "updated" in out
    assert list(Option.objects.order_by("id").values_list("id", flat=True)) == ids
    assert Option.objects.get(text="Он не требует learning rate").verdict == "correct"
    assert Quiz.objects.count() == 1


def test_dry_run_writes_nothing():
    out, _ = run(str(FIXTURE), "--dry-run")
    assert "dry run" in out
    assert Quiz.objects.count() == 0


def test_json_report_has_the_documented_shape():
    out, _ = run(str(FIXTURE), "--report", "json", "--dry-run")
    report = json.loads(out)
    (entry,) = report["files"]
    assert entry["path"] == str(FIXTURE)
    assert entry["repaired_encoding"] is False
    assert entry["errors"] == []
    assert [w["line"] for w in entry["warnings"]] == sorted(w["line"] for w in entry["warnings"])
    assert len(entry["warnings"]) == 3
    (quiz,) = entry["quizzes"]
    assert quiz["title"] == "Тестовые задания: DL+NLP+CV"
    assert quiz["slug"] == "testovye-zadaniia-dl-nlp-cv"
    first = quiz["questions"][0]
    assert first["kind"] == "multiple" and first["explanation"] is True and first["line"] > 0
    assert first["options"][4] == {
        "text": "Batch Normalization",
        "verdict": "partial",
        "feedback": True,
    }


def test_json_report_marks_the_repaired_seed(seed_path):
    out, _ = run(str(seed_path), "--report", "json", "--dry-run")
    assert json.loads(out)["files"][0]["repaired_encoding"] is True


BAD_INPUTS = {
    "empty": b"",
    "no questions": "# Тест\n\nПросто текст.\n".encode(),
    "option without a verdict": "# Т\n\n## Задание 1\n\n**Вопрос?**\n\n* ✅ да\n* нет\n".encode(),
    "no correct option": "# Т\n\n## Задание 1\n\n**Вопрос?**\n\n* ❌ да\n* ❌ нет\n".encode(),
    "invalid utf-8": (
        b"# Title\n\n## Task 1\n\n**Q?**\n\n* \xe2\x9c\x85 yes \xff\xfe\xfd\n* \xe2\x9d\x8c no\n"
    ),
    "binary": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_clear_error_with_file_and_line_and_writes_nothing(tmp_path, case):
    path = tmp_path / "bad.md"
    path.write_bytes(BAD_INPUTS[case])
    with pytest.raises(CommandError, match="1 of 1 file"):
        run(str(path))
    assert Quiz.objects.count() == 0


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_errors_name_the_file_and_line(tmp_path, case, capsys):
    path = tmp_path / "bad.md"
    path.write_bytes(BAD_INPUTS[case])
    out = __import__("io").StringIO()
    with pytest.raises(CommandError):
        call_command("import_quiz", str(path), stdout=out, stderr=out)
    errors = [line for line in out.getvalue().splitlines() if ": error: " in line]
    assert len(errors) == 1, out.getvalue()
    assert errors[0].startswith(f"{path}:")
    assert "Traceback" not in out.getvalue()


def test_a_bad_file_does_not_stop_the_good_ones(tmp_path):
    bad = tmp_path / "a-bad.md"
    bad.write_bytes(b"")
    good = tmp_path / "b-good.md"
    good.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CommandError, match="1 of 2 file"):
        run(str(tmp_path))
    assert Quiz.objects.count() == 1


def test_missing_file_is_a_clear_error(tmp_path):
    out = __import__("io").StringIO()
    with pytest.raises(CommandError):
        call_command("import_quiz", str(tmp_path / "nope.md"), stdout=out, stderr=out)
    assert "cannot read file" in out.getvalue()


def failing_run(*args) -> tuple[str, str]:
    """`import_quiz` on files with errors, in Russian: (stdout, stderr) as it ends."""
    out, err = StringIO(), StringIO()
    with translation.override("ru"), pytest.raises(CommandError):
        call_command("import_quiz", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_reports_word_problems_in_english_with_their_codes_whatever_the_language(tmp_path):
    path = tmp_path / "prose.md"
    # Russian text that was once read as Mac OS Roman: repaired, then found to have no questions.
    path.write_bytes("# Тест\n\nПросто текст.\n".encode().decode("mac_roman").encode())
    out, _ = failing_run(str(path))
    assert f"{path}: repaired mojibake: UTF-8 text that had been decoded as Mac OS Roman" in out
    assert f"{path}:1: error: no questions found. Expected either the seed format:" in out
    (entry,) = json.loads(failing_run(str(path), "--report", "json")[0])["files"]
    assert entry["repairs"] == [
        "repaired mojibake: UTF-8 text that had been decoded as Mac OS Roman"
    ]
    (error,) = entry["errors"]
    assert (error["line"], error["code"], error["params"]) == (1, "no_questions", {})
    assert error["message"].startswith("no questions found. Expected either the seed format:")


def test_json_warnings_carry_code_parameters_and_english_words():
    with translation.override("ru"):
        out, _ = run(str(FIXTURE), "--report", "json", "--dry-run")
    warning = json.loads(out)["files"][0]["warnings"][0]
    assert warning == {
        "line": 8,
        "code": "seed_toc_missing",
        "params": {"label": "Задание 4"},
        "message": "the table of contents lists 'Задание 4' but the file has no such question",
    }
