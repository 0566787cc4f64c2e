"""CSV export: content, formula escaping, Excel-friendly encoding, streaming."""

import csv
import io
from unittest import mock

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes import exports
from quizzes.models import Answer, Attempt
from quizzes.selectors.exports import EXPORT_CHUNK_SIZE, export_attempts
from quizzes.services.attempts import start_attempt
from quizzes.services.review import override_question_score
from tests.builders import ALL_RIGHT
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

URL = reverse("quizzes:review_export")


def read_csv(response, delimiter=";") -> list[list[str]]:
    """The export as Python's csv reads it: a UTF-8 BOM, then `delimiter`-separated rows.

    Without a language the site speaks Russian, so the export is for Russian Excel.
    """
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=delimiter))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+7 999", "'+7 999"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # A tab is a separator too: what follows it is defused. A line break is a space.
        ("\t=1", "'\t'=1"),
        ("\r=1", " =1"),
        ("a\r\n=1\n+2", "a =1 +2"),
        ("Ivanov;=1+1;", "Ivanov;'=1+1;'"),
        ("a,+1", "a,'+1"),
        ("a\t-1", "a\t'-1"),
        ("a;\t@SUM(A1)", "a;'\t'@SUM(A1)"),
        ('a;"=1', "a;'\"=1"),
        ("Иванов; Анна", "Иванов; Анна"),
        ("Анна", "Анна"),
        ("a=b", "a=b"),
        ("a - b", "a - b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_escape_cell_defuses_formulas_only(value, expected):
    assert exports.escape_cell(value) == expected


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Every character that separates, quotes or starts a formula, and some plain text.
TRICKY = st.text(alphabet=st.sampled_from(list(",;\t\r\n\"' =+-@aЯ1")), max_size=12)


def read_back(cells: list[str], delimiter: str) -> list[list[str]]:
    """A row written as the export writes it, read as a spreadsheet of another locale would."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([exports.escape_cell(cell) for cell in cells])
    return list(csv.reader(io.StringIO(buffer.getvalue(), newline=""), delimiter=delimiter))


@settings(max_examples=500, deadline=None)
@given(cells=st.lists(TRICKY, min_size=1, max_size=4))
def test_no_spreadsheet_locale_finds_a_formula_in_any_cell(cells):
    # Comma (English Excel), semicolon (Russian Excel) and tab (pasted text) readers.
    for delimiter in (",", ";", "\t"):
        for row in read_back(cells, delimiter):
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (delimiter, cells, row)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(TRICKY, min_size=1, max_size=4))
def test_a_comma_reader_gets_back_one_cell_per_value(cells):
    assert read_back(cells, ",") == [[exports.escape_cell(cell) for cell in cells]]


def test_option_labels_continue_after_z():
    assert [exports.option_label(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def test_export_has_one_row_per_attempt_with_points_and_choices(recruiter_client, quiz):
    finish(quiz, {1: ["MaxPooling", "Dropout", "ReLU"], 3: ["Переобучение"]}, name="Анна")
    start_attempt(quiz=quiz, candidate_name="Борис", candidate_email="b@x.org")
    rows = read_csv(recruiter_client.get(URL, {"quiz": quiz.pk, "sort": "date"}))
    header, anna, boris = rows
    assert header[:4] == ["Кандидат", "Электронная почта", "Тест", "Состояние"]
    assert header[11:14] == ["Оценка", "Статус найма", "Заметки"]
    assert header[14:] == [
        "В1 баллы", "В1 выбор", "В2 баллы", "В2 выбор", "В3 баллы", "В3 выбор",
    ]  # fmt: skip
    assert anna[0:2] == ["Анна", "anna@example.com"]
    # Decimal commas: Russian Excel reads "33,33" as a number ("1.5" would be a date).
    assert anna[8:11] == ["1", "3", "33,33"]
    # Question 1 options as authored: A MaxPooling, B ..., C Dropout, D ..., E ..., F ReLU.
    assert anna[14:] == ["1", "A C F", "0", "", "0", "B"]
    assert boris[3] == "В процессе" and boris[8] == "" and boris[14:] == [""] * 6


def test_export_escapes_candidate_supplied_cells(recruiter_client, quiz):
    finish(quiz, {}, name="=cmd|' /C calc'!A0", email="@evil@example.com")
    rows = read_csv(recruiter_client.get(URL))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[1][1] == "'@evil@example.com"


def test_export_defuses_formulas_behind_a_semicolon_for_russian_excel(recruiter_client, quiz):
    finish(quiz, {}, name="Ivanov;=1+1;", email="ivanov@example.com")
    # A comma file (English settings) opened by a semicolon reader (Russian Excel).
    response = recruiter_client.get(URL, {"delimiter": "comma"})
    body = b"".join(response.streaming_content).decode("utf-8")[1:]
    row = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))[1]
    assert row[:2] == ["Ivanov", "'=1+1"]
    assert row[2].startswith("',ivanov@example.com,")
    assert not any(cell.startswith(FORMULA_STARTS) for cell in row)


def test_export_follows_the_list_filters(recruiter_client, quiz):
    finish(quiz, ALL_RIGHT, name="Сильная")
    finish(quiz, {}, name="Слабый", email="weak@example.com")
    rows = read_csv(recruiter_client.get(URL, {"percent_min": "50"}))
    assert [row[0] for row in rows[1:]] == ["Сильная"]
    # Without a quiz filter there are no per-question columns (quizzes differ).
    assert len(rows[0]) == 14


def test_export_overridden_points_replace_computed_ones(recruiter_client, recruiter, quiz):
    attempt = finish(quiz, {})
    qid = quiz.questions.get(position=2).id
    override_question_score(
        attempt=attempt, question_id=qid, points=1, reason="устно", user=recruiter
    )
    row = read_csv(recruiter_client.get(URL, {"quiz": quiz.pk}))[1]
    assert row[8] == "1" and row[16:18] == ["1", ""]


def test_export_iterates_in_chunks_instead_of_loading_every_row(recruiter_client, quiz):
    finish(quiz, ALL_RIGHT)
    with mock.patch(
        "quizzes.views.review.export_attempts", wraps=export_attempts
    ) as spy, mock.patch(
        "django.db.models.query.QuerySet.iterator", autospec=True,
        side_effect=lambda qs, chunk_size=None: iter(list(qs._clone())),
    ) as iterator:  # fmt: skip
        rows = read_csv(recruiter_client.get(URL, {"quiz": quiz.pk}))
    assert spy.called and len(rows) == 2
    assert iterator.call_args.kwargs["chunk_size"] == EXPORT_CHUNK_SIZE


def test_export_streams_thousands_of_attempts_in_bounded_queries(
    recruiter_client, quiz, django_assert_max_num_queries
):
    template = finish(quiz, ALL_RIGHT)
    answers = list(template.answers.all())
    count = 4500
    attempts = Attempt.objects.bulk_create(
        Attempt(
            quiz=quiz,
            revision_id=template.revision_id,
            candidate_name=f"Кандидат {n}",
            candidate_email=f"c{n}@example.com",
            state=Attempt.State.SUBMITTED,
            layout=template.layout,
            started_at=template.started_at,
            submitted_at=template.submitted_at,
            score=template.score,
            max_score=template.max_score,
        )
        for n in range(count)
    )
    Answer.objects.bulk_create(
        Answer(
            attempt=attempt,
            question_id=answer.question_id,
            selected=answer.selected,
            points=answer.points,
            fraction=answer.fraction,
        )
        for attempt in attempts
        for answer in answers
    )
    response = recruiter_client.get(URL, {"quiz": quiz.pk})
    # Nothing is read before the body is consumed; then three queries per 2000-row chunk
    # (attempts, their notes, their answers).
    with django_assert_max_num_queries(3 * 3 + 2):
        rows = read_csv(response)
    assert len(rows) == count + 2
    assert all(row[14:20] == ["1", "A C F", "1", "A", "1", "A"] for row in rows[1:])
