"""`import_quiz` on hostile files: a clean import or a clear error, never a traceback."""

import json
import random
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes import formats
from quizzes.models import Option, Question, Quiz

SEED = Path(django_settings.BASE_DIR) / "fixtures" / "dl-nlp-cv.ru.md"

pytestmark = pytest.mark.django_db


def content_snapshot():
    return (
        list(Quiz.objects.order_by("pk").values_list("pk", "slug", "title", "description")),
        list(Question.objects.order_by("pk").values_list("pk", "text", "position")),
        list(Option.objects.order_by("pk").values_list("pk", "text", "verdict")),
    )


def run_import(path: Path, *args: str) -> tuple[str, str, str | None]:
    """(outcome, output, error message); outcome is "imported" or "refused"."""
    out, err = StringIO(), StringIO()
    before = content_snapshot()
    try:
        call_command("import_quiz", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        # A refused file writes nothing at all.
        assert content_snapshot() == before
        assert str(error).strip()
        return "refused", out.getvalue() + err.getvalue(), str(error)
    return "imported", out.getvalue() + err.getvalue(), None


def assert_clear(outcome, output, error):
    assert "Traceback" not in output
    if outcome == "refused":
        assert "error" in output.lower() or "cannot" in output.lower(), output
    else:
        quiz = Quiz.objects.order_by("-updated_at").first()
        assert quiz is not None and quiz.questions.exists()


def test_the_seed_file_imports(tmp_path):
    outcome, output, _ = run_import(SEED)
    assert outcome == "imported", output
    parsed = formats.parse(SEED.read_bytes()).quiz
    assert Question.objects.count() == len(parsed.questions) >= 3


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 100,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"\xff\xfe\x00\x00garbage",
        "## Только заголовок\n".encode(),
        b"# " + b"A" * 2_000_000,  # a single 2 MB line
        SEED.read_bytes().replace(b"\n", b""),  # one huge line
        SEED.read_bytes() * 20,
    ],
    ids=["empty", "nul", "png", "utf32ish", "heading-only", "huge-line", "seed-one-line", "x20"],
)
def test_hostile_files_are_imported_or_refused_clearly(tmp_path, data):
    path = tmp_path / "upload.md"
    path.write_bytes(data)
    assert_clear(*run_import(path))


def test_a_missing_file_is_a_clear_error(tmp_path):
    outcome, output, error = run_import(tmp_path / "nope.md")
    assert outcome == "refused"
    assert "had errors" in error
    assert "cannot read file" in output


def test_a_json_report_stays_valid_json_when_a_file_is_refused(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"\x00\x01 not a quiz")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_quiz", str(path), "--report", "json", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())
    assert report["files"][0]["errors"]


def test_every_truncation_of_the_seed_is_imported_or_refused_clearly(tmp_path):
    data = SEED.read_bytes()
    rng = random.Random(8)
    cuts = sorted(
        {1, 2, 3, len(data) // 2, len(data) - 1} | {rng.randrange(len(data)) for _ in range(25)}
    )
    path = tmp_path / "cut.md"
    outcomes = set()
    for cut in cuts:
        path.write_bytes(data[:cut])
        outcome, output, error = run_import(path, "--slug", f"cut-{cut}")
        assert_clear(outcome, output, error)
        outcomes.add(outcome)
    assert outcomes == {"imported", "refused"}  # both paths really were exercised


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.binary(max_size=3000))
def test_random_bytes_are_imported_or_refused_clearly(tmp_path, data):
    path = tmp_path / "random.md"
    path.write_bytes(data)
    assert_clear(*run_import(path, "--slug", "random"))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mutations=st.lists(
        st.tuples(st.integers(min_value=0), st.binary(min_size=0, max_size=8)),
        min_size=1,
        max_size=20,
    )
)
def test_mutated_seed_files_are_imported_or_refused_clearly(tmp_path, mutations):
    data = bytearray(SEED.read_bytes())
    for position, replacement in mutations:
        at = position % len(data)
        data[at : at + len(replacement)] = replacement
    path = tmp_path / "mutated.md"
    path.write_bytes(bytes(data))
    assert_clear(*run_import(path, "--slug", "mutated"))
