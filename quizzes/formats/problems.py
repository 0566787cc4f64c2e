"""What the formats package reports about a file: a code, its parameters and a line.

The package knows nothing of languages: a problem names what is wrong with a ``Code`` and
the details (a question's label, a byte offset, quoted words) in ``params``. The Django
layer words each code in the reader's language (``quizzes.format_problems``); a test
fails on a code without words, in English and Russian, or whose words name other
parameters than the places that report it pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Code(StrEnum):
    """Every problem the package can report; the value is stable (JSON reports carry it)."""

    # Bytes that are not usable text (errors), and repairs made to them.
    BINARY_NUL = "binary_nul"
    BINARY_CONTROLS = "binary_controls"
    INVALID_UTF16 = "invalid_utf16"
    INVALID_UTF8 = "invalid_utf8"
    MOJIBAKE_REPAIRED = "mojibake_repaired"
    # Either format.
    INTERNAL_ERROR = "internal_error"
    EMPTY_FILE = "empty_file"
    NO_QUESTIONS = "no_questions"
    SECOND_SETTINGS_LINE = "second_settings_line"
    SETTING_UNKNOWN = "setting_unknown"
    SETTING_REPEATED = "setting_repeated"
    SETTING_TIME_LIMIT = "setting_time_limit"
    SETTING_VALUE = "setting_value"
    SETTING_PRACTICE = "setting_practice"
    # The task-list format.
    TASKLIST_NO_TITLE = "tasklist_no_title"
    TASKLIST_NO_OPTIONS = "tasklist_no_options"
    TASKLIST_QUESTION_SKIPPED = "tasklist_question_skipped"
    TASKLIST_NO_TEXT = "tasklist_no_text"
    TASKLIST_DRAFT = "tasklist_draft"
    TASKLIST_EMPTY_OPTION = "tasklist_empty_option"
    # The seed format.
    SEED_NO_TITLE = "seed_no_title"
    SEED_TOC_MISSING = "seed_toc_missing"
    SEED_NO_OPTIONS = "seed_no_options"
    SEED_NO_TEXT = "seed_no_text"
    SEED_UNKNOWN_INSTRUCTION = "seed_unknown_instruction"
    SEED_NO_CORRECT = "seed_no_correct"
    SEED_SEVERAL_CORRECT = "seed_several_correct"
    SEED_OPTION_NO_TEXT = "seed_option_no_text"
    SEED_OPTION_NO_VERDICT = "seed_option_no_verdict"
    SEED_UNHEADED_EXPLANATION = "seed_unheaded_explanation"
    SEED_SECTIONS_COUNT = "seed_sections_count"
    SEED_SECTION_NO_MATCH = "seed_section_no_match"
    SEED_SECTION_SEVERAL_MATCHES = "seed_section_several_matches"
    SEED_SECTIONS_SAME_OPTION = "seed_sections_same_option"


@dataclass(frozen=True)
class NotImported:
    """Lines of the file that nothing was stored from, and their first words."""

    first: int
    last: int
    words: str


@dataclass(frozen=True)
class Problem:
    """``line`` counts from 1 (None: the whole file); ``params`` fill the code's words."""

    line: int | None
    code: Code
    params: dict[str, str | int] = field(default_factory=dict)
    not_imported: NotImported | None = None

    def __str__(self) -> str:
        where = "" if self.line is None else f"line {self.line}: "
        return f"{where}{self.code.value} {self.params}"


def problem(line: int | None, code: Code, **params: str | int) -> Problem:
    return Problem(line, code, params)
