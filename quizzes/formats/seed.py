"""The "seed" question format (markdown with ✅/❌/⚠️ bullets).

Layout::

    # Quiz title

    optional description

    - [Задание 1](#задание-1)          <- table of contents (informational)

    ## Задание 1                       <- or "## Task 1"; the number is optional
    <!-- quizsite: draft -->           <- optional, marks an unpublished question

    **Question text**                  <- bold line is unwrapped; more paragraphs,
                                          code and images may follow
    Выберите один вариант из списка:   <- or "Select all that apply" / "Choose one";
                                          a line with other words stays in the text

    * ✅ correct option                 <- "-" bullets too; ⚠️ = partial
    * ❌ incorrect option
      indented continuation lines belong to the option

    ---

    ### Объяснение                     <- or "### Explanation"

    General explanation.

    #### ✅ 1. correct option — note    <- per-option feedback, matched by number,
    Feedback.                          <- option text or verdicts in order; the
                                          note opens the feedback (``seed_sections``)
    ---

Writer rules that make ``parse(write(q))`` lossless:

* The question's first line is wrapped in ``**`` only when it is a paragraph
  of its own and not a code fence; the parser unwraps exactly that case.
* Everything between the heading and the instruction line is the body; the
  writer always emits the instruction line, so a body ending in an
  instruction-like line survives.
* Multi-line options are written with two-space indented continuation; an
  option whose first line is a code fence starts on the next line.
* Free-text lines that look like structure (question headings, option
  bullets, ``---`` rules, explanation/section headings, table-of-contents
  entries, ``<!-- quizsite: -->`` comments) get one extra leading backslash
  (see ``_markdown``).
* A draft (``<!-- quizsite: draft -->``) may have no options yet: its text then ends at
  the first ``---`` rule or explanation heading, and the explanation follows as usual. A
  published question without options is an error.
* Per-option sections are numbered so they match even when texts repeat; their
  headings repeat the option's first line (cut short with "..."), which the
  parser recognises as naming the option, not as a note.

Known limits: text fields are returned stripped, the title must be a single
line and question numbers non-negative; free text must not leave a code fence
open (``write_seed`` raises ``ValueError`` in these cases).

This module holds the line grammar and the writer; ``seed_parser`` reads files.
"""

from __future__ import annotations

import re

from . import _markdown as md
from ._writing import item_lines, preamble_lines, validate_quiz
from .model import (
    CORRECT,
    INCORRECT,
    MULTIPLE,
    PARTIAL,
    SINGLE,
    ParsedQuiz,
)
from .structure import question_tokens

_EMOJI = r"(?P<emoji>✅|❌|⚠\ufe0f?)"
EMOJI_VERDICT = {"✅": CORRECT, "❌": INCORRECT, "⚠": PARTIAL}
VERDICT_EMOJI = {CORRECT: "✅", INCORRECT: "❌", PARTIAL: "⚠️"}

QHEAD_RE = re.compile(
    r"^##[ \t]+(?P<word>Задание|Task|Вопрос|Question)"
    r"(?:[ \t]+№?[ \t]*(?P<num>\d+))?[ \t]*[.:]?[ \t]*$",
    re.IGNORECASE,
)
TITLE_RE = re.compile(r"^#(?:[ \t]+(?P<title>.*?))?[ \t]*$")
EXPL_RE = re.compile(r"^###[ \t]+(?:Объяснение|Пояснение|Explanation)[ \t]*:?[ \t]*$", re.I)
SECTION_RE = re.compile(r"^####[ \t]+[*_]*[ \t]*(?:" + _EMOJI + r"|\d+[.)])")
OPTION_RE = re.compile(r"^(?P<ind>[ \t]*)[-*+][ \t]+" + _EMOJI + r"(?:[ \t]*(?P<text>.*))?$")
BULLET_RE = re.compile(r"^[ ]{0,3}[-*+][ \t]+\S")
SEP_RE = re.compile(r"^[ \t]*(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
TOC_RE = re.compile(
    r"^[ \t]*[-*+][ \t]+\[(?P<label>(?:Задание|Task|Вопрос|Question)[ \t]*№?[ \t]*(?P<num>\d+))\]"
    r"\(#[^)]*\)[ \t]*$",
    re.IGNORECASE,
)
BOLD_RE = re.compile(r"^\*\*(?P<inner>.+)\*\*$")
HEADING_RE = re.compile(r"^[ ]{0,3}#{1,6}(?:[ \t]|$)")

INSTRUCTION_MULTIPLE = re.compile(
    r"^(?:Выберите\s+(?:все|несколько|один\s+или\s+несколько)|Select\s+all|Choose\s+all"
    r"|Select\s+(?:one\s+or\s+)?(?:more|multiple)|Choose\s+(?:one\s+or\s+)?(?:more|multiple))",
    re.IGNORECASE,
)
INSTRUCTION_SINGLE = re.compile(
    r"^(?:Выберите\s+(?:один|одно|одну|единственный)|Choose\s+(?:one|a\s+single|the\s+correct)"
    r"|Select\s+(?:one|a\s+single|the\s+correct)|Pick\s+one)",
    re.IGNORECASE,
)
INSTRUCTION_ANY = re.compile(r"^(?:Выберите|Select|Choose|Pick)\b", re.IGNORECASE)
# The words of an instruction line that says no more than the question type. A line with any
# other word is the author's text too ("Выберите один вариант, который описывает Adam:"), so
# it stays in the question.
# fmt: off
_INSTRUCTION_WORDS = frozenset({
    "выберите", "выбери", "отметьте", "укажите", "один", "одно", "одну", "единственный",
    "единственное", "все", "всё", "несколько", "или", "подходящие", "подходящий",
    "подходящих", "правильные", "правильный", "правильное", "правильную", "правильных",
    "верные", "верный", "верное", "верную", "верных", "вариант", "варианта", "варианты",
    "вариантов", "ответ", "ответа", "ответы", "ответов", "из", "списка", "ниже",
    "предложенных",
    "select", "choose", "pick", "mark", "one", "all", "that", "apply", "applies", "the", "a",
    "an", "single", "or", "more", "multiple", "correct", "right", "best", "option", "options",
    "answer", "answers", "from", "list", "below", "of", "following",
})
# fmt: on
_WORD_RE = re.compile(r"[^\W\d_]+")

INSTRUCTION_TEXT = {
    SINGLE: "Выберите один вариант из списка:",
    MULTIPLE: "Выберите все подходящие ответы из списка:",
}


def plain_instruction(line: str) -> bool:
    """True when every word of the line is one an instruction is made of."""
    return set(_WORD_RE.findall(line.casefold())) <= _INSTRUCTION_WORDS


def structural(line: str) -> bool:
    return bool(
        QHEAD_RE.match(line)
        or EXPL_RE.match(line)
        or SECTION_RE.match(line)
        or OPTION_RE.match(line)
        or SEP_RE.match(line)
        or TOC_RE.match(line)
        or md.META_RE.match(line)
    )


# --------------------------------------------------------------------------- writer


def _section_label(text: str) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    if md.is_fence_line(first):
        return ""
    return first if len(first) <= 80 else first[:77].rstrip() + "..."


def write_seed(quiz: ParsedQuiz) -> str:
    validate_quiz(quiz)
    out = preamble_lines(quiz, structural)
    toc = [
        f"- [Задание {q.number}](#задание-{q.number})"
        for q in quiz.questions
        if q.number is not None
    ]
    if toc:
        out += ["", *toc]
    for q in quiz.questions:
        out += ["", "## Задание" if q.number is None else f"## Задание {q.number}"]
        tokens = ([] if q.published else ["draft"]) + question_tokens(q)
        if tokens:
            out += ["", md.meta_line(tokens)]
        body = md.escape_text(q.text.strip(), structural).split("\n")
        if not md.is_fence_line(body[0]) and (len(body) == 1 or md.is_blank(body[1])):
            body[0] = f"**{body[0]}**"
        # The instruction line carries the kind, also of a draft that has no options yet.
        out += ["", *body, "", INSTRUCTION_TEXT[q.kind]]
        if q.options:
            out.append("")
        for o in q.options:
            out += item_lines(f"* {VERDICT_EMOJI[o.verdict]}", o.text, structural)
        has_feedback = any(o.feedback.strip() for o in q.options)
        if q.explanation.strip() or has_feedback:
            out += ["", "---", "", "### Объяснение"]
            if q.explanation.strip():
                out += ["", md.escape_text(q.explanation.strip(), structural)]
            if has_feedback:
                for n, o in enumerate(q.options, 1):
                    label = _section_label(o.text)
                    out += ["", f"#### {VERDICT_EMOJI[o.verdict]} {n}. {label}".rstrip()]
                    if o.feedback.strip():
                        out += ["", md.escape_text(o.feedback.strip(), structural)]
        out += ["", "---"]
    return "\n".join(out) + "\n"
