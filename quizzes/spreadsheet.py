"""The .xlsx export of attempts: typed cells, written row by row in constant memory.

XlsxWriter's constant_memory mode writes each row to a temporary file as soon as the next
one starts, so 100,000 attempts take the memory of one row (bench/offline.py measures it).
Cells are typed: points, scores and durations are numbers, dates are Excel dates. Excel
dates carry no time zone, so every date is converted to one zone and the header names it.
Text is always written as a string cell (never through XlsxWriter's guessing `write()`), so
a candidate named "=HYPERLINK(…)" is text in every spreadsheet, never a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.exports import QuestionColumn
from quizzes.models import Attempt

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limit for one cell's text.
CELL_MAX_CHARS = 32_767
# C0 control characters other than tab and line breaks: not allowed in XML text, so
# XlsxWriter would spell them as _x0001_; they carry nothing a recruiter needs.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass
class ExportRow:
    """One attempt as the export writes it."""

    attempt: Attempt
    # {question id: (effective points, selected option ids)}
    answers: dict[int, tuple[Decimal | None, list[int]]]
    notes: list[str] = field(default_factory=list)


def state_text(attempt: Attempt) -> str:
    state = attempt.get_state_display()
    if attempt.time_ran_out:
        return _("%(state)s, time ran out") % {"state": state}
    return str(state)


def text(value: object) -> str:
    cleaned = _CONTROL.sub("", str(value))
    if len(cleaned) > CELL_MAX_CHARS:
        return cleaned[: CELL_MAX_CHARS - 1] + "…"
    return cleaned


class _Sheet:
    """The worksheet and its formats; `put` writes one typed cell."""

    def __init__(self, target: IO[bytes], zone: tzinfo) -> None:
        self.book = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.sheet = self.book.add_worksheet(text(_("Attempts"))[:31])
        self.zone = zone
        self.bold = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.date = self.book.add_format({"num_format": _DATE_FORMAT})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})

    def put(self, row: int, column: int, value: object) -> None:
        if value is None or value == "":
            return
        if isinstance(value, datetime):
            local = timezone.localtime(value, self.zone).replace(tzinfo=None)
            self.sheet.write_datetime(row, column, local, self.date)
        elif isinstance(value, int | float | Decimal):
            self.sheet.write_number(row, column, float(value))
        else:
            self.sheet.write_string(row, column, text(value))


# The per-attempt columns before the per-question ones: (header, width).
def _attempt_headers(zone_name: str) -> list[tuple[str, int]]:
    return [
        (_("Candidate"), 24),
        (_("Email"), 28),
        (_("Quiz"), 24),
        (_("State"), 22),
        (_("Invite"), 20),
        (_("Started (%(zone)s)") % {"zone": zone_name}, 19),
        (_("Submitted (%(zone)s)") % {"zone": zone_name}, 19),
        (_("Duration, s"), 10),
        (_("Score"), 8),
        (_("Max score"), 8),
        (_("Percent"), 8),
        (_("Rating"), 7),
        (_("Hiring status"), 14),
        (_("Notes"), 40),
    ]


def _attempt_cells(entry: ExportRow) -> list[object]:
    attempt = entry.attempt
    duration = attempt.duration
    return [
        attempt.candidate_name,
        attempt.candidate_email,
        attempt.quiz.title,
        state_text(attempt),
        str(attempt.invite) if attempt.invite_id else "",
        attempt.started_at,
        attempt.submitted_at,
        int(duration.total_seconds()) if duration is not None else None,
        attempt.score,
        attempt.max_score,
        attempt.percentage,
        attempt.rating,
        str(attempt.get_hiring_status_display()),
        "\n\n".join(entry.notes),
    ]


def _choice_text(options: dict[int, str], selected: list[int]) -> str:
    return " ".join(
        sorted(
            (options.get(option_id, "?") for option_id in selected),
            key=lambda label: (len(label), label),
        )
    )


def _answer_cells(
    entry: ExportRow,
    columns: list[QuestionColumn],
    labels: dict[int, dict[int, str]],
) -> list[object]:
    """Per question column: points (a number) and the chosen options' letters."""
    cells: list[object] = []
    for column in columns:
        answer = entry.answers.get(column.question_id)
        if column.question_id not in labels:
            cells += [None, None]  # not part of this candidate's version of the quiz
        elif answer is None:
            cells += [None if entry.attempt.is_open else 0, None]
        else:
            points, selected = answer
            cells += [points, _choice_text(labels[column.question_id], selected)]
    return cells


def write_attempts(
    target: IO[bytes],
    rows: Iterable[ExportRow],
    *,
    columns: list[QuestionColumn],
    revision_options: dict[int, dict[int, dict[int, str]]],
    zone: tzinfo | None = None,
) -> int:
    """Write the attempts as one worksheet into `target`; the number of attempts written.

    `columns` and `revision_options` as for the CSV (quizzes.exports): question columns,
    and revision id -> question id -> option id -> letter. Dates are shown in `zone`
    (the current time zone by default), which the date headers name.
    """
    zone = zone or timezone.get_current_timezone()
    out = _Sheet(target, zone)
    headers = _attempt_headers(str(zone))
    for column in columns:
        headers.append((_("Q%(number)s points") % {"number": column.number}, 6))
        headers.append((_("Q%(number)s choices") % {"number": column.number}, 8))
    # Column formats first: constant_memory mode writes them before the first row.
    for index, (_header, width) in enumerate(headers):
        out.sheet.set_column(index, index, width)
    notes_column = len(_attempt_headers(""))
    out.sheet.set_column(notes_column - 1, notes_column - 1, 40, out.wrap)
    out.sheet.freeze_panes(1, 1)
    for index, (header, _width) in enumerate(headers):
        out.sheet.write_string(0, index, text(header), out.bold)
    count = 0
    for count, entry in enumerate(rows, start=1):
        labels = revision_options.get(entry.attempt.revision_id, {})
        cells = _attempt_cells(entry) + _answer_cells(entry, columns, labels)
        for index, value in enumerate(cells):
            out.put(count, index, value)
    out.sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    out.book.close()
    return count
