"""Pure-Python import/export of quizzes as markdown files (no Django here).

``parse(data)`` never raises on bad input: problems come back as
``ParseResult.errors`` (file unusable, ``quiz is None``) and
``ParseResult.warnings`` (imported, but worth telling the author), each a ``Problem``
with a ``Code`` and parameters that the Django layer words in the reader's language.
``write(quiz, format)`` is the inverse: ``parse(write(q, f), format=f)``
reproduces ``q`` apart from ``line`` fields.

Formats: ``seed`` (see ``seed.py`` and ``seed_parser.py``) and ``tasklist``
(see ``tasklist.py``). Input bytes are decoded by ``encoding.decode`` (UTF-8,
UTF-8 BOM, UTF-16 BOM, plausible cp1251; mojibake repaired and reported).
``str`` input is reported with encoding ``"unicode"``.
"""

from __future__ import annotations

import re

from . import _markdown as md
from .encoding import decode, normalize_newlines, repair_mojibake
from .model import (
    ACCESS,
    CORRECT,
    FORMATS,
    INCORRECT,
    KINDS,
    MULTIPLE,
    PARTIAL,
    REVIEWS,
    SEED,
    SINGLE,
    TASKLIST,
    VERDICTS,
    DecodedText,
    FormatError,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    ParsedSection,
    ParseResult,
    QuizSettings,
)
from .problems import Code, NotImported, Problem, problem
from .seed import OPTION_RE as _SEED_OPTION_RE
from .seed import QHEAD_RE as _SEED_QHEAD_RE
from .seed import write_seed
from .seed_parser import parse_seed
from .tasklist import OPTION_RE as _TASK_OPTION_RE
from .tasklist import _question_heads as _task_question_heads
from .tasklist import parse_tasklist, write_tasklist

__all__ = [
    "ACCESS",
    "CORRECT",
    "FORMATS",
    "INCORRECT",
    "KINDS",
    "MULTIPLE",
    "PARTIAL",
    "REVIEWS",
    "SEED",
    "SINGLE",
    "TASKLIST",
    "VERDICTS",
    "Code",
    "DecodedText",
    "FormatError",
    "NotImported",
    "ParseResult",
    "ParsedOption",
    "ParsedQuestion",
    "ParsedQuiz",
    "ParsedSection",
    "Problem",
    "QuizSettings",
    "decode",
    "detect_format",
    "parse",
    "parse_seed",
    "parse_tasklist",
    "repair_mojibake",
    "write",
    "write_seed",
    "write_tasklist",
]


_TASK_CHECKED_RE = re.compile(r"\[[xX ]\]")


def detect_format(text: str) -> str:
    """ "tasklist" when checkbox options dominate, otherwise "seed".

    A file with neither options nor seed headings (drafts whose options are still to come)
    is a task-list file when it has task-list question headings.
    """
    tasklist = seed = 0
    tracker = md.FenceTracker()
    lines = normalize_newlines(text).split("\n")
    for line in lines:
        if tracker.feed(line):
            continue
        if (m := _TASK_OPTION_RE.match(line)) and m.group("mark") != "~":
            tasklist += 1
        elif _SEED_OPTION_RE.match(line) or _SEED_QHEAD_RE.match(line):
            seed += 1
    if tasklist == seed == 0 and _task_question_heads(lines):
        return TASKLIST
    return TASKLIST if tasklist > seed else SEED


def parse(data: bytes | str, *, format: str | None = None) -> ParseResult:
    """Decode and parse an uploaded quiz file. Never raises on bad input."""
    if format is not None and format not in FORMATS:
        raise FormatError(f"unknown format {format!r}; expected one of {FORMATS}")
    if isinstance(data, str):
        text, repairs = repair_mojibake(normalize_newlines(data))
        decoded = DecodedText(text, "unicode", repairs)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        decoded = decode(bytes(data))
    else:
        raise FormatError(f"parse() expects bytes or str, got {type(data).__name__}")

    if decoded.error is not None:
        return ParseResult(
            quiz=None,
            format=format or SEED,
            encoding=decoded.encoding,
            repairs=decoded.repairs,
            errors=[decoded.error],
        )
    fmt = format or detect_format(decoded.text)
    try:
        parser = parse_tasklist if fmt == TASKLIST else parse_seed
        quiz, warnings, errors = parser(decoded.text)
    except Exception as exc:
        # Upload views rely on parse() never raising; a parser bug must show
        # up as a reported error rather than a 500.
        quiz, warnings = None, []
        errors = [problem(None, Code.INTERNAL_ERROR, error=f"{type(exc).__name__}: {exc}")]
    return ParseResult(
        quiz=quiz,
        format=fmt,
        encoding=decoded.encoding,
        repairs=decoded.repairs,
        warnings=warnings,
        errors=errors,
    )


def write(quiz: ParsedQuiz, format: str = SEED) -> str:
    """Export a quiz; raises ValueError for content the format cannot carry."""
    if format == SEED:
        return write_seed(quiz)
    if format == TASKLIST:
        return write_tasklist(quiz)
    raise FormatError(f"unknown format {format!r}; expected one of {FORMATS}")
