"""Candidate lists from recruiters: pasted, one `Name <email>` (or `email`, `Name, email`) a
line, or uploaded as CSV (`name,email[,expires]`)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email


@dataclass(frozen=True)
class InviteEntry:
    name: str
    email: str
    # The candidate's own expiry (a CSV column); None: the one chosen for the whole list.
    expires_at: datetime | None = None


_SEPARATED = re.compile(r"^(?P<name>.*?)\s*[,;\t]\s*(?P<email>[^,;\t\s]+@[^,;\t\s]+)$")


def normalized_email(email: str) -> str:
    """The form of an address that identifies a candidate: trimmed, case-insensitive."""
    return email.strip().lower()


def masked_email(email: str) -> str:
    """An address shown to someone who may not own it: a***@example.com."""
    local, _at, domain = email.strip().rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def parse_invite_line(line: str) -> InviteEntry:
    """One pasted line: `Name <email>`, `email`, or `Name, email` (also `;` or a tab).

    Raises django.core.exceptions.ValidationError when the line holds no valid address
    (or is longer than any name and address could be: the pattern below takes time
    quadratic in the length of a line with long runs of spaces).
    """
    line = line.strip()
    if len(line) > MAX_LINE_CHARS:
        raise ValidationError("line too long", code="too_long")
    separated = _SEPARATED.match(line)
    if "<" in line:
        name, email = parseaddr(line)
    elif separated:
        name, email = separated["name"], separated["email"]
    else:
        name, email = "", line
    name, email = name.strip().strip("\"'"), email.strip()
    validate_email(email)
    return InviteEntry(name=name, email=email)


# The most candidates one paste or upload may create (a cohort is a few hundred); a longer
# list is refused before any row is written.
MAX_CANDIDATES = 1000
# The longest name an invite stores (Invite.candidate_name) and the longest address a
# mail server accepts (RFC 5321).
MAX_NAME_CHARS = 200
MAX_EMAIL_CHARS = 254
# A line of a pasted list: a name, an address and what separates them.
MAX_LINE_CHARS = MAX_NAME_CHARS + MAX_EMAIL_CHARS + 10


@dataclass(frozen=True)
class CsvProblem:
    """A line the upload refused: `code` names the reason, `value` the offending text."""

    line: int
    code: str  # "columns", "email", "name", "expires", "past", "duplicate", "unreadable"
    value: str = ""


def sniff_delimiter(first_line: str) -> str:
    """`;` when the first line uses it (a spreadsheet in a comma-decimal locale), else `,`."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_invite_csv(text: str, parse_expires) -> tuple[list[InviteEntry], list[CsvProblem]]:
    """Rows of `name,email[,expires]` (or `;`-separated); a first row without an address
    is taken for a header. `parse_expires(text)` returns an aware datetime or raises
    ValueError ("past" for a moment gone by). Returns the entries and, per refused line,
    its problem."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    delimiter = sniff_delimiter(next((line for line in lines if line.strip()), ""))
    entries: list[InviteEntry] = []
    problems: list[CsvProblem] = []
    seen: set[str] = set()
    reader = csv.reader(lines, delimiter=delimiter)
    first = True
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:  # a cell over csv's size limit
            problems.append(CsvProblem(reader.line_num, "unreadable"))
            break
        number = reader.line_num
        cells = [cell.strip() for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if first and not any("@" in cell for cell in cells):
            first = False
            continue  # the header
        first = False
        if len(cells) not in (2, 3):
            problems.append(CsvProblem(number, "columns", str(len(cells))))
            continue
        name, email = cells[0], cells[1]
        problem = _entry_problem(number, name, email, seen)
        if problem is None and len(cells) == 3:
            try:
                expires_at = parse_expires(cells[2])
            except ValueError as error:
                code = "past" if str(error) == "past" else "expires"
                problem = CsvProblem(number, code, cells[2])
        else:
            expires_at = None
        if problem is not None:
            problems.append(problem)
            continue
        seen.add(normalized_email(email))
        entries.append(InviteEntry(name=name, email=email, expires_at=expires_at))
    return entries, problems


def _entry_problem(number: int, name: str, email: str, seen: set[str]) -> CsvProblem | None:
    if len(email) > MAX_EMAIL_CHARS:
        return CsvProblem(number, "email", email[:60] + "…")
    try:
        validate_email(email)
    except ValidationError:
        return CsvProblem(number, "email", email)
    if len(name) > MAX_NAME_CHARS:
        return CsvProblem(number, "name", name[:60] + "…")
    if normalized_email(email) in seen:
        return CsvProblem(number, "duplicate", email)
    return None
