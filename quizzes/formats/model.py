"""Plain data model shared by every question format.

Nothing here knows about Django: the importer/exporter views convert these
dataclasses to and from ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Problem

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
    # The fixed section of the quiz it is in (from 1); None: the first fixed section.
    section: int | None = None
    tags: list[str] = field(default_factory=list)  # sorted, distinct
    retired: bool = False  # no longer drawn by sections that draw from its bank


# Quiz-level settings; the values are those of quizzes.models.Quiz's choices.
PUBLIC = "public"
INVITE = "invite"
ACCESS = (PUBLIC, INVITE)
THANKS = "thanks"
SCORE = "score"
CORRECTNESS = "correctness"
FULL = "full"
REVIEWS = (THANKS, SCORE, CORRECTNESS, FULL)
# The longest time limit a file may set, in seconds (a week).
MAX_TIME_LIMIT = 7 * 24 * 60 * 60


@dataclass
class QuizSettings:
    """The quiz settings a file states, in its ``<!-- quizsite: ... -->`` line after the title.

    ``None`` means the file does not say: importing keeps the quiz's current value (or the
    default, for a new quiz). The line's presence says whether the quiz is a practice quiz,
    which is public with the full review right away, so its access and reviews may only
    repeat that. ``time_limit`` is in seconds, 0 for none.
    """

    practice: bool = False
    access: str | None = None
    review_after_attempt: str | None = None
    review_after_close: str | None = None
    time_limit: int | None = None


@dataclass
class ParsedSection:
    """A part of the quiz: its fixed questions, or ``draw`` questions drawn from a bank."""

    title: str = ""
    draw: int | None = None
    bank: str = ""  # the bank's slug
    tag: str = ""  # draw only questions with this tag


@dataclass
class ParsedQuiz:
    title: str
    description: str = ""
    questions: list[ParsedQuestion] = field(default_factory=list)
    # None: the file has no settings line.
    settings: QuizSettings | None = None
    # Empty: the file states none, and the quiz is one fixed section.
    sections: list[ParsedSection] = field(default_factory=list)
    # The file is a question bank: a title and questions (with tags), no settings or sections.
    bank: bool = False


@dataclass
class DecodedText:
    """Result of turning raw bytes into text.

    ``error`` is set (and ``text`` is empty) when the bytes are not usable
    text; callers turn it into a parse error instead of catching exceptions.
    """

    text: str
    encoding: str
    repairs: list[Problem] = field(default_factory=list)
    error: Problem | None = None


@dataclass
class ParseResult:
    quiz: ParsedQuiz | None
    format: str
    encoding: str
    repairs: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def implied_kind(options: list[ParsedOption]) -> str:
    """The kind the verdicts suggest: multiple choice when more than one option is correct."""
    return MULTIPLE if sum(option.verdict == CORRECT for option in options) > 1 else SINGLE
