"""The GitHub task-list question format (LinkedIn skill-assessment style).

Layout::

    ## Quiz title                      <- first "#" or "##" heading

    optional description

    #### Q1. Question text             <- "###" or "####"; "Q1." / "D3." / "1." prefix
    <!-- quizsite: multiple draft -->  <- optional, written only when needed

    optional body: text, code fences, images

    - [ ] incorrect option
    - [x] correct option               <- "[X]" too
    - [~] partially correct option     <- quizsite extension (GitHub shows it as text)
      indented continuation belongs to the option

      > per-option feedback: a blockquote at the end of the option
      > (quizsite extension)

    Text after the options is the explanation.

Semantics: one ``[x]`` = single choice, several = multiple choice; no ``[x]``
imports the question as an unpublished draft with a warning (never guessed); a
question without checkbox options is skipped, and its warning names and quotes
its lines.
A fenced code block that follows an option after blank lines belongs to that
option, as in the LinkedIn files.

Writer rules that make ``parse(write(q))`` lossless:

* The first line of the question goes into the heading when it is a
  paragraph of its own and fits on a heading line; otherwise the heading is
  just ``### Q<n>.`` and the whole text is the body.
* ``<!-- quizsite: ... -->`` carries what checkboxes cannot: ``draft`` for an
  unpublished question and the kind when it differs from the [x] count;
  ``<!-- quizsite: explanation -->`` ends the options when the explanation
  starts with a code fence (which would otherwise belong to the last option).
* Multi-line options are indented by two spaces; feedback is an indented
  blockquote after a blank line, so option-text lines starting with ``>`` are
  backslash-escaped, as are free-text lines that look like ``###``/``####``
  headings, task-list options or quizsite comments (see ``_markdown``).

Known limits: as for the seed format (stripped fields, single-line title, no
unclosed code fences in free text, non-negative question numbers).
"""

from __future__ import annotations

import re

from . import _markdown as md
from ._parsing import LineParser, meta_kind
from ._writing import item_lines, preamble_lines, validate_quiz
from .model import (
    CORRECT,
    INCORRECT,
    PARTIAL,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    implied_kind,
)
from .problems import Code, Problem

QHEAD_RE = re.compile(r"^#{3,4}(?:[ \t]+(?P<title>.*?))?[ \t]*$")
TITLE_RE = re.compile(r"^#{1,2}(?:[ \t]+(?P<title>.*?))?[ \t]*$")
OPTION_RE = re.compile(
    r"^(?P<ind>[ ]{0,3})[-*+][ \t]+\[(?P<mark>[ xX~])\](?:[ \t]+(?P<text>.*)|[ \t]*)$"
)
PREFIX_RE = re.compile(
    r"^(?:[A-Z]{1,2}|(?i:task|question|задание|вопрос|питання)[ \t]*)?(?P<num>\d+)[.):](?=\s|$)"
)
BULLET_RE = re.compile(r"^[ ]{0,3}[-*+][ \t]+\S")
HEADING_RE = re.compile(r"^[ ]{0,3}#{1,6}(?:[ \t]|$)")
QUOTE_RE = re.compile(r"^[ \t]*>")

MARK_VERDICT = {" ": INCORRECT, "x": CORRECT, "X": CORRECT, "~": PARTIAL}
VERDICT_MARK = {INCORRECT: " ", CORRECT: "x", PARTIAL: "~"}


def _structural(line: str) -> bool:
    return bool(QHEAD_RE.match(line) or OPTION_RE.match(line) or md.META_RE.match(line))


def _option_structural(line: str) -> bool:
    return _structural(line) or bool(QUOTE_RE.match(line))


def _stop_lazy(line: str) -> bool:
    return bool(BULLET_RE.match(line) or HEADING_RE.match(line) or QUOTE_RE.match(line))


def _split_feedback(item: list[str]) -> tuple[list[str], list[str]]:
    """Split an option's lines into text and a trailing blockquote (feedback)."""
    tracker = md.FenceTracker()
    code = [tracker.feed(line) for line in item]
    k = len(item)
    while k > 1 and not code[k - 1] and QUOTE_RE.match(item[k - 1]):
        k -= 1
    if k == len(item) or not md.is_blank(item[k - 1]):
        return item, []
    feedback = []
    for line in item[k:]:
        rest = line.lstrip(" \t")[1:]
        feedback.append(rest[1:] if rest.startswith(" ") else rest)
    return item[:k], feedback


class _TasklistParser(LineParser):
    def parse(self) -> ParsedQuiz | None:
        lines = self.lines
        title_index = None
        heads = []
        for i in md.outside_code(lines):
            if QHEAD_RE.match(lines[i]):
                heads.append(i)
            elif title_index is None and not heads and TITLE_RE.match(lines[i]):
                title_index = i
        if not heads:
            self.error(0, Code.NO_QUESTIONS)
            return None
        if title_index is None:
            self.warn(0, Code.TASKLIST_NO_TITLE)
            title = ""
        else:
            m = TITLE_RE.match(lines[title_index])
            assert m is not None
            title = (m.group("title") or "").strip()
        code_free = set(md.outside_code(lines, 0, heads[0]))
        preamble = [
            line
            for i, line in enumerate(lines[: heads[0]])
            if i != title_index and not (i in code_free and self.read_settings(i))
        ]
        description = md.join_text(preamble, _structural)
        bounds = zip(heads, [*heads[1:], len(lines)], strict=True)
        questions = [q for h, end in bounds if (q := self._question(h, end)) is not None]
        if not questions:
            self.error(heads[0], Code.TASKLIST_NO_OPTIONS)
        if self.errors:
            return None
        return ParsedQuiz(
            title=title, description=description, questions=questions, settings=self.settings
        )

    def _question(self, head: int, end: int) -> ParsedQuestion | None:
        lines = self.lines
        m = QHEAD_RE.match(lines[head])
        assert m is not None
        heading = (m.group("title") or "").strip()
        number = None
        if p := PREFIX_RE.match(heading):
            number = int(p.group("num"))
            heading = heading[p.end() :].strip()

        tokens, i = md.leading_meta(lines, head + 1, end)
        options_at = (j for j in md.outside_code(lines, i, end) if OPTION_RE.match(lines[j]))
        opt_start = next(options_at, None)
        if opt_start is None:
            self.warn_not_imported(head, end, Code.TASKLIST_QUESTION_SKIPPED)
            return None
        body = md.join_text(lines[i:opt_start], _structural)
        text = "\n\n".join(part for part in (heading, body) if part)
        if not text:
            self.warn(head, Code.TASKLIST_NO_TEXT)

        options, j = self._options(opt_start, end)
        explanation = md.join_text(lines[j:end], _structural)

        published = "draft" not in tokens
        if published and not any(o.verdict == CORRECT for o in options):
            published = False
            self.warn(head, Code.TASKLIST_DRAFT)
        return ParsedQuestion(
            text=text,
            kind=meta_kind(tokens) or implied_kind(options),
            options=options,
            explanation=explanation,
            line=head + 1,
            number=number,
            published=published,
        )

    def _options(self, start: int, end: int) -> tuple[list[ParsedOption], int]:
        """The options from ``start`` on, and the index where the explanation starts."""
        lines = self.lines
        options: list[ParsedOption] = []
        j = start
        while j < end:
            if md.is_blank(lines[j]):
                j += 1
                continue
            if md.is_meta_line(lines[j]):
                # "<!-- quizsite: explanation -->": the writer's fence guard
                j += 1
                break
            om = OPTION_RE.match(lines[j])
            if not om:
                break
            option, j = self._option(om, j, end)
            if option is not None:
                options.append(option)
        return options, j

    def _option(self, om: re.Match[str], j: int, end: int) -> tuple[ParsedOption | None, int]:
        """The option whose bullet is line ``j`` (None when empty), and the next line's index."""
        item, nxt = md.consume_item(
            self.lines,
            j + 1,
            end,
            om.group("text") or "",
            len(om.group("ind")) + 2,
            stop_lazy=_stop_lazy,
            unindented_fences=True,
        )
        text_lines, feedback = _split_feedback(item)
        option_text = md.join_text(text_lines, _option_structural)
        if not option_text and not feedback:
            self.warn(j, Code.TASKLIST_EMPTY_OPTION)
            return None, nxt
        option = ParsedOption(
            text=option_text,
            verdict=MARK_VERDICT[om.group("mark")],
            feedback="\n".join(feedback).strip(),
            line=j + 1,
        )
        return option, nxt


def parse_tasklist(text: str) -> tuple[ParsedQuiz | None, list[Problem], list[Problem]]:
    """Parse task-list text; returns (quiz or None, warnings, errors)."""
    return _TasklistParser(text).run()


# --------------------------------------------------------------------------- writer


def _heading_safe(line: str, number: int | None) -> bool:
    return bool(
        line
        and line == line.strip()
        and not md.is_fence_line(line)
        and (number is not None or not PREFIX_RE.match(line))
    )


def _split_text(text: str, number: int | None) -> tuple[str, str]:
    """(heading title, body) such that the parser joins them back to ``text``."""
    first, sep, rest = text.partition("\n\n")
    if "\n" in first or not _heading_safe(first, number):
        return "", text
    if sep and (not rest or rest[0].isspace()):
        return "", text
    return first, rest


def write_tasklist(quiz: ParsedQuiz) -> str:
    validate_quiz(quiz)
    out = preamble_lines(quiz, _structural)
    for q in quiz.questions:
        text = q.text.strip()
        title, body = _split_text(text, q.number)
        prefix = "" if q.number is None else f"Q{q.number}."
        out += ["", " ".join(part for part in ("###", prefix, title) if part)]
        tokens = []
        if q.kind != implied_kind(q.options):
            tokens.append(q.kind)
        if not q.published:
            tokens.append("draft")
        if tokens:
            out += ["", md.meta_line(tokens)]
        if body:
            out += ["", md.escape_text(body, _structural)]
        out.append("")
        loose = any("\n" in o.text.strip() or o.feedback.strip() for o in q.options)
        for n, o in enumerate(q.options):
            if loose and n:
                out.append("")
            out += item_lines(f"- [{VERDICT_MARK[o.verdict]}]", o.text, _option_structural)
            if o.feedback.strip():
                out.append("")
                out += ["  > " + line if line else "  >" for line in o.feedback.strip().split("\n")]
        if q.explanation.strip():
            explanation = md.escape_text(q.explanation.strip(), _structural)
            if md.is_fence_line(explanation.split("\n", 1)[0]):
                # A fence right after an option would belong to that option.
                out += ["", md.meta_line(["explanation"])]
            out += ["", explanation]
    return "\n".join(out) + "\n"
