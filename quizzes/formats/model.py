"""Plain data model shared by every question format.

Nothing here knows about Django: the importer/exporter views convert these
dataclasses to and from ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CORRECT = "correct"
INCORRECT = "incorrect"
PARTIAL = "partial"
VERDICTS = (CORRECT, INCORRECT, PARTIAL)

SINGLE = "single"
MULTIPLE = "multiple"
KINDS = (SINGLE, MULTIPLE)

SEED = "seed"
TASKLIST = "tasklist"
FORMATS = (SEED, TASKLIST)


class FormatError(Exception):
    """Programming misuse (unknown format name, wrong argument type).

    Bad *input* never raises: it is reported through ``ParseResult.errors``.
    """


@dataclass
class ParsedOption:
    text: str
    verdict: str
    feedback: str = ""
    line: int = 0


@dataclass
class ParsedQuestion:
    text: str
    kind: str
    options: list[ParsedOption]
    explanation: str = ""
    line: int = 0
    number: int | None = None
    published: bool = True


@dataclass
class ParsedQuiz:
    title: str
    description: str = ""
    questions: list[ParsedQuestion] = field(default_factory=list)


@dataclass
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass
class DecodedText:
    """Result of turning raw bytes into text.

    ``error`` is set (and ``text`` is empty) when the bytes are not usable
    text; callers turn it into a parse error instead of catching exceptions.
    """

    text: str
    encoding: str
    repairs: list[str] = field(default_factory=list)
    error: Problem | None = None


@dataclass
class ParseResult:
    quiz: ParsedQuiz | None
    format: str
    encoding: str
    repairs: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def implied_kind(options: list[ParsedOption]) -> str:
    """The kind the verdicts suggest: multiple choice when more than one option is correct."""
    return MULTIPLE if sum(option.verdict == CORRECT for option in options) > 1 else SINGLE
