"""CSV export of attempts, written row by row so any number of attempts streams.

Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return that they
strip first) as a formula, so a candidate named "=HYPERLINK(...)" could run code on a
recruiter's machine. Such cells get a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.models import Attempt

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel opens a UTF-8 file as UTF-8 (not the ANSI code page) only when it starts with a BOM.
BOM = "\ufeff"


def escape_cell(value) -> str:
    """A cell's text, defused if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def option_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the option's place in the quiz as authored."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = string.ascii_uppercase[remainder] + letters
    return letters


@dataclass(frozen=True)
class QuestionColumn:
    question_id: int
    number: int


def question_columns(revisions: Iterable[dict]) -> list[QuestionColumn]:
    """One column pair per question seen in any revision, newest revision's order first."""
    seen: dict[int, None] = {}
    for content in revisions:
        for question in content["questions"]:
            seen.setdefault(question["id"], None)
    return [QuestionColumn(question_id=qid, number=n) for n, qid in enumerate(seen, start=1)]


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    attempts: Iterable[Attempt],
    *,
    columns: list[QuestionColumn],
    revision_options: dict[int, dict[int, dict[int, str]]],
) -> Iterator[str]:
    """The CSV text, one line at a time: a header, then one row per attempt.

    `attempts` carry prefetched answers; `revision_options` maps revision id -> question id
    -> option id -> label, so choices read the same for every candidate whatever order
    their options were shown in.
    """
    writer = csv.writer(_Echo())
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
    ]
    for column in columns:
        header.append(_("Q%(number)s points") % {"number": column.number})
        header.append(_("Q%(number)s choices") % {"number": column.number})
    yield BOM + writer.writerow([escape_cell(cell) for cell in header])
    for attempt in attempts:
        duration = attempt.duration
        row = [
            attempt.candidate_name,
            attempt.candidate_email,
            attempt.quiz.title,
            attempt.get_state_display(),
            str(attempt.invite) if attempt.invite_id else "",
            _local(attempt.started_at),
            _local(attempt.submitted_at),
            int(duration.total_seconds()) if duration is not None else "",
            _number(attempt.score),
            _number(attempt.max_score),
            _number(attempt.percentage),
            attempt.rating or "",
        ]
        if columns:
            answers = {answer.question_id: answer for answer in attempt.answers.all()}
            labels = revision_options.get(attempt.revision_id, {})
            for column in columns:
                answer = answers.get(column.question_id)
                if column.question_id not in labels:
                    row += ["", ""]  # not part of this candidate's version of the quiz
                    continue
                if answer is None:
                    row += ["" if attempt.is_open else "0", ""]
                    continue
                options = labels[column.question_id]
                chosen = sorted(
                    (options.get(option_id, "?") for option_id in answer.selected),
                    key=lambda label: (len(label), label),
                )
                row.append(_number(answer.effective_points))
                row.append(" ".join(chosen))
        yield writer.writerow([escape_cell(cell) for cell in row])


def revision_option_labels(revisions: dict[int, dict]) -> dict[int, dict[int, dict[int, str]]]:
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
