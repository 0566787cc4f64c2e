"""CSV export of attempts, written row by row so any number of attempts streams.

Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return that they
strip first) as a formula, so a candidate named "=HYPERLINK(...)" could run code on a
recruiter's machine. Such cells get a leading apostrophe, which spreadsheets show as text.

Excel opens a CSV file by double-click with its locale's list separator and decimal mark
and offers no choice: Russian Excel, the main audience, splits on ";" and reads "1,5" as a
number (a comma-separated file is one column there, and "1.5" turns into the 1st of May).
So the file is written for one of two readers (`Dialect`): ";" with decimal commas, or ","
with decimal points. Either way a file may end up in another reader (pasted text splits on
tabs), and a cell like "Ivanov;=1+1" is one cell for a comma reader, yet two for a
semicolon reader, the second a formula. So a separator inside a cell gets an apostrophe
after it when a formula character, a quote (which would make the rest a quoted field
there, hiding what follows) or the end of the cell (where the writer's own closing quote
follows) comes next. Line breaks inside a cell become spaces: a reader that does not
honour the file's quotes would start a new row there.

Dates are ISO 8601 with the offset of the site's time zone (2025-03-12T14:05:00+03:00), so
a file read elsewhere or later still says when.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.content import RevisionContent, option_label
from quizzes.models import Attempt

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A separator of some spreadsheet locale, then a formula start, a quote or the cell's end.
_FORMULA_AFTER_SEPARATOR = re.compile(r'([,;\t])(?=[=+\-@\t"]|\Z)')
_LINE_BREAK = re.compile(r"\r\n?|\n")
# Excel opens a UTF-8 file as UTF-8 (not the ANSI code page) only when it starts with a BOM.
BOM = "\ufeff"


def escape_cell(value) -> str:
    """A cell's text, defused wherever a spreadsheet of any locale could start a formula."""
    if value is None:
        return ""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", _LINE_BREAK.sub(" ", str(value)))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@dataclass(frozen=True)
class QuestionColumn:
    question_id: int
    number: int


def question_columns(revisions: Iterable[RevisionContent]) -> list[QuestionColumn]:
    """One column pair per question seen in any revision, newest revision's order first."""
    seen: dict[int, None] = {}
    for content in revisions:
        for question in content["questions"]:
            seen.setdefault(question["id"], None)
    return [QuestionColumn(question_id=qid, number=n) for n, qid in enumerate(seen, start=1)]


@dataclass(frozen=True)
class Dialect:
    """How one spreadsheet locale reads a CSV file: its separator and decimal mark."""

    delimiter: str
    decimal: str


# Russian (and most European) Excel; English Excel and most other readers.
SEMICOLON = Dialect(delimiter=";", decimal=",")
COMMA = Dialect(delimiter=",", decimal=".")


def dialect(choice: str, language: str | None) -> Dialect:
    """The one asked for ("semicolon" or "comma"), else the one of the reader's language."""
    if choice:
        return SEMICOLON if choice == "semicolon" else COMMA
    return SEMICOLON if (language or "").startswith("ru") else COMMA


@lru_cache(maxsize=4096)
def _number(value: Decimal | None, decimal: str = ".") -> str:
    # Cached: a quiz's points take a handful of values, formatted millions of times.
    if value is None:
        return ""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
    return escape_cell(text.replace(".", decimal))


def _local(moment) -> str:
    """ISO 8601 in the site's time zone, with its offset."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _notes(attempt: Attempt) -> str:
    """Every note, oldest first: when, who, what (the list's prefetched notes)."""
    return " | ".join(
        f"{_local(note.created_at)} {note.author.get_username() if note.author else '—'}: "
        f"{note.text}"
        for note in attempt.notes.all()
    )


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    attempts: Iterable[tuple[Attempt, dict[int, tuple[Decimal | None, list[int]]]]],
    *,
    columns: list[QuestionColumn],
    revision_options: dict[int, dict[int, dict[int, str]]],
    dialect: Dialect = COMMA,
) -> Iterator[str]:
    """The CSV text, one line at a time: a header, then one row per attempt.

    `attempts` are (attempt, {question id: (effective points, selected option ids)}), the
    attempts with their notes prefetched; `revision_options` maps revision id -> question
    id -> option id -> label, so choices read the same for every candidate whatever order
    their options were shown in.
    """
    writer = csv.writer(_Echo(), delimiter=dialect.delimiter)
    yield BOM + writer.writerow([escape_cell(cell) for cell in _header(columns)])
    # Few distinct choices per question: their labels are worked out once, not per row.
    chosen_text: dict[tuple, str] = {}
    for attempt, answers in attempts:
        row = _attempt_cells(attempt, dialect.decimal)
        if columns:
            labels = revision_options.get(attempt.revision_id, {})
            row += _answer_cells(attempt, answers, columns, labels, chosen_text, dialect.decimal)
        # Free text goes through escape_cell above and numbers through _number (a negative
        # override would start with "-"); dates, states and option letters cannot start
        # with a formula character, so the per-cell check is not repeated for them.
        yield writer.writerow(row)


def _header(columns: list[QuestionColumn]) -> list[str]:
    header = [
        _("Candidate"),
        _("Email"),
        _("Quiz"),
        _("State"),
        _("Invite"),
        _("Started"),
        _("Submitted"),
        _("Duration, s"),
        _("Score"),
        _("Max score"),
        _("Percent"),
        _("Rating"),
        _("Hiring status"),
        _("Notes"),
    ]
    for column in columns:
        header.append(_("Q%(number)s points") % {"number": column.number})
        header.append(_("Q%(number)s choices") % {"number": column.number})
    return header


def _attempt_cells(attempt: Attempt, decimal: str) -> list[str]:
    """The cells about the attempt as a whole, before the per-question columns."""
    duration = attempt.duration
    return [
        escape_cell(attempt.candidate_name),
        escape_cell(attempt.candidate_email),
        escape_cell(attempt.quiz.title),
        str(attempt.get_outcome_display()),
        escape_cell(str(attempt.invite)) if attempt.invite_id else "",
        _local(attempt.started_at),
        _local(attempt.submitted_at),
        escape_cell(int(duration.total_seconds())) if duration is not None else "",
        _number(attempt.score, decimal),
        _number(attempt.max_score, decimal),
        _number(attempt.percentage, decimal),
        str(attempt.rating or ""),
        str(attempt.get_hiring_status_display()),
        escape_cell(_notes(attempt)),
    ]


def _answer_cells(
    attempt: Attempt,
    answers: dict[int, tuple[Decimal | None, list[int]]],
    columns: list[QuestionColumn],
    labels: dict[int, dict[int, str]],
    chosen_text: dict[tuple, str],
    decimal: str,
) -> list[str]:
    """A points cell and a choices cell per question column; ``chosen_text`` is the cache."""
    cells: list[str] = []
    unanswered = ["" if attempt.is_open else "0", ""]
    for column in columns:
        answer = answers.get(column.question_id)
        if column.question_id not in labels:
            cells += ["", ""]  # not part of this candidate's version of the quiz
            continue
        if answer is None:
            cells += unanswered
            continue
        points, selected = answer
        key = (attempt.revision_id, column.question_id, *selected)
        text = chosen_text.get(key)
        if text is None:
            if len(chosen_text) > 20_000:
                chosen_text.clear()  # pathological variety: stay bounded
            options = labels[column.question_id]
            text = chosen_text[key] = " ".join(
                sorted(
                    (options.get(option_id, "?") for option_id in selected),
                    key=lambda label: (len(label), label),
                )
            )
        cells.append(_number(points, decimal))
        cells.append(text)
    return cells


def revision_option_labels(
    revisions: dict[int, RevisionContent],
) -> dict[int, dict[int, dict[int, str]]]:
    """revision id -> question id -> option id -> letter in authoring order."""
    return {
        revision_id: {
            question["id"]: {
                option["id"]: option_label(index)
                for index, option in enumerate(question["options"])
            }
            for question in content["questions"]
        }
        for revision_id, content in revisions.items()
    }
