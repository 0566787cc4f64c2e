"""What the format parsers share: the text as lines, the problems found, the question kind."""

from __future__ import annotations

import dataclasses

from . import _markdown as md
from .model import KINDS, ParsedQuiz, ParsedSection, QuizSettings
from .problems import Code, NotImported, Problem
from .settings import parse_settings
from .structure import BANK_TOKEN, parse_section

# How much of the text a warning quotes.
_EXCERPT = 60


class LineParser:
    """Base of the format parsers.

    Methods take 0-based indexes into ``lines``; problems report them as 1-based line numbers.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self.settings: QuizSettings | None = None
        self.sections: list[ParsedSection] = []
        self.bank = False

    def warn(self, index: int | None, code: Code, **params: str | int) -> None:
        self.warnings.append(Problem(None if index is None else index + 1, code, params))

    def warn_not_imported(self, start: int, stop: int, code: Code) -> None:
        """Warn at line ``start`` that lines ``start`` to ``stop`` - 1 are not imported.

        The warning names the lines and quotes their first words, so that the author can
        find them; nothing of them is stored.
        """
        nonblank = [i + 1 for i in range(start, stop) if not md.is_blank(self.lines[i])]
        if not nonblank:
            self.warn(start, code)
            return
        first, last = nonblank[0], nonblank[-1]
        words = " ".join(" ".join(self.lines[first - 1 : last]).split())
        if len(words) > _EXCERPT:
            words = words[: _EXCERPT - 1].rstrip() + "…"
        self.warnings.append(Problem(start + 1, code, {}, NotImported(first, last, words)))

    def error(self, index: int | None, code: Code, **params: str | int) -> None:
        self.errors.append(Problem(None if index is None else index + 1, code, params))

    def read_settings(self, index: int) -> bool:
        """Take line ``index`` as the quiz settings line if it is a quizsite comment.

        Only one such line counts; another is reported and ignored. True when the line was
        a quizsite comment (and so is not part of the description).
        """
        line = self.lines[index]
        tokens = md.meta_tokens(line) if md.is_meta_line(line) else None
        if tokens is None:
            return False
        if (section := parse_section(line)) is not None:
            self.sections.append(section)
            return True
        if tokens == {BANK_TOKEN}:
            self.bank = True
            return True
        if self.settings is not None:
            self.warn(index, Code.SECOND_SETTINGS_LINE)
            return True
        self.settings, warnings = parse_settings(tokens)
        self.warnings += [dataclasses.replace(warning, line=index + 1) for warning in warnings]
        return True

    def run(self) -> tuple[ParsedQuiz | None, list[Problem], list[Problem]]:
        """(quiz or None, warnings, errors)."""
        if "".join(self.lines).strip():
            quiz = self.parse()
        else:
            self.error(0, Code.EMPTY_FILE)
            quiz = None
        return quiz, self.warnings, self.errors

    def parse(self) -> ParsedQuiz | None:
        """The quiz from a file with some text in it, or None after reporting errors."""
        raise NotImplementedError


def meta_kind(tokens: set[str]) -> str | None:
    """The kind a ``<!-- quizsite: -->`` comment names, if any."""
    return next((kind for kind in KINDS if kind in tokens), None)
