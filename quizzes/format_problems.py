"""The formats package's problems in words: one translatable message per ``formats.Code``.

`quizzes.formats` reports what is wrong with a file as a code and parameters; this is the
only place that words them, in the active language: Russian in the admin by default, and
English in `import_quiz`, which switches to it. Placeholders are named after the
parameters the parsers pass (``tests/formats/test_problem_messages.py`` checks both ends
and that every message has a Russian translation).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quizzes.formats import Code, Problem

__all__ = ["MESSAGES", "NOT_IMPORTED", "ShownProblem", "problem_message", "shown_problems"]

MESSAGES: dict[Code, Promise] = {
    Code.BINARY_NUL: _("binary data, not a text file (a NUL byte at byte offset %(offset)s)"),
    Code.BINARY_CONTROLS: _("binary data, not a text file (too many control characters)"),
    Code.INVALID_UTF16: _("invalid UTF-16 data at byte offset %(offset)s"),
    Code.INVALID_UTF8: _(
        "invalid UTF-8 at byte offset %(offset)s and not recognisable as cp1251 Cyrillic "
        "text; save the file as UTF-8"
    ),
    Code.MOJIBAKE_REPAIRED: _("repaired mojibake: UTF-8 text that had been decoded as %(codec)s"),
    Code.INTERNAL_ERROR: _("internal parser error (%(error)s)"),
    Code.EMPTY_FILE: _("the file is empty"),
    Code.NO_QUESTIONS: _(
        "no questions found. Expected either the seed format: question headings like "
        "'## Задание 1' or '## Task 1' with options like '* ✅ answer' and '* ❌ answer'; or "
        "the task-list format: headings like '### Q1. Question', '## Q1', '#### 1)' or "
        "'**1.** Question' with options like '- [x] answer' and '- [ ] answer'"
    ),
    Code.SECOND_SETTINGS_LINE: _("a second quiz settings line is ignored"),
    Code.SETTING_UNKNOWN: _("unknown quiz setting '%(token)s' ignored"),
    Code.SETTING_REPEATED: _("quiz setting '%(key)s' given more than once: ignored"),
    Code.SETTING_TIME_LIMIT: _(
        "time-limit='%(value)s' ignored: expected none, or a whole number of seconds, minutes "
        "or hours up to a week, like 90s, 45m or 2h"
    ),
    Code.SETTING_VALUE: _("%(key)s='%(value)s' ignored: expected one of %(allowed)s"),
    Code.SETTING_PRACTICE: _("%(key)s=%(value)s ignored: a practice quiz has %(key)s=%(required)s"),
    Code.TASKLIST_NO_TITLE: _(
        "no '#' or '##' title heading before the first question: title is empty"
    ),
    Code.TASKLIST_NO_OPTIONS: _(
        "no question has options: write them under each question heading as "
        "'- [x] right answer' and '- [ ] wrong answer' lines"
    ),
    Code.TASKLIST_QUESTION_SKIPPED: _("question without '- [ ]' / '- [x]' options: skipped"),
    Code.TASKLIST_NO_TEXT: _("question has no text"),
    Code.TASKLIST_DRAFT: _("no option marked [x]: imported as a draft"),
    Code.TASKLIST_EMPTY_OPTION: _("empty option ignored"),
    Code.SEED_NO_TITLE: _("no '# Title' heading before the first question: the title is empty"),
    Code.SEED_TOC_MISSING: _(
        "the table of contents lists '%(label)s' but the file has no such question"
    ),
    Code.SEED_NO_OPTIONS: _("'%(label)s' has no options (expected bullets like '* ✅ answer')"),
    Code.SEED_NO_TEXT: _("'%(label)s' has no question text"),
    Code.SEED_UNKNOWN_INSTRUCTION: _(
        "'%(label)s': unknown instruction line '%(instruction)s' ignored, the question type "
        "is inferred"
    ),
    Code.SEED_NO_CORRECT: _("'%(label)s' has no correct (✅) option"),
    # The count is at least 2: translations need no plural forms.
    Code.SEED_SEVERAL_CORRECT: _("'%(label)s' is single-choice but has %(count)s correct options"),
    Code.SEED_OPTION_NO_TEXT: _("option has no text"),
    Code.SEED_OPTION_NO_VERDICT: _(
        "option without a verdict (expected ✅, ❌ or ⚠️ after the bullet): '%(excerpt)s'"
    ),
    Code.SEED_UNHEADED_EXPLANATION: _(
        "'%(label)s': text after the options without an '### Объяснение' heading is used as "
        "the explanation"
    ),
    Code.SEED_SECTIONS_COUNT: _(
        "'%(label)s': per-option explanations kept on the question (per-option sections: "
        "%(sections)s, options: %(options)s)"
    ),
    Code.SEED_SECTION_NO_MATCH: _(
        "'%(label)s': per-option explanations kept on the question (the section at line "
        "%(section)s matches no option)"
    ),
    Code.SEED_SECTION_SEVERAL_MATCHES: _(
        "'%(label)s': per-option explanations kept on the question (the section at line "
        "%(section)s matches several options)"
    ),
    Code.SEED_SECTIONS_SAME_OPTION: _(
        "'%(label)s': per-option explanations kept on the question (several sections match "
        "the same option)"
    ),
}

# A problem whose lines were not imported names them and quotes their first words.
NOT_IMPORTED = {
    "line": _("%(message)s; line %(first)s not imported: '%(words)s'"),
    "lines": _("%(message)s; lines %(first)s–%(last)s not imported: '%(words)s'"),
}


def problem_message(problem: Problem) -> str:
    """The problem in the active language, without its line."""
    message = str(MESSAGES[problem.code]) % problem.params
    skipped = problem.not_imported
    if skipped is None:
        return message
    template = NOT_IMPORTED["line" if skipped.first == skipped.last else "lines"]
    return str(template) % {
        "message": message,
        "first": skipped.first,
        "last": skipped.last,
        "words": skipped.words,
    }


@dataclass(frozen=True)
class ShownProblem:
    """A problem as a page shows it: its line (None: the whole file) and its words."""

    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return gettext("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


def shown_problems(problems: list[Problem]) -> list[ShownProblem]:
    return [ShownProblem(problem.line, problem_message(problem)) for problem in problems]
