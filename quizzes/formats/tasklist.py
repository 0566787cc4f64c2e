"""The GitHub task-list question format (LinkedIn skill-assessment style).

Layout::

    ## Quiz title                      <- first "#" or "##" heading

    optional description

    #### Q1. Question text             <- "###" or "####"; "Q1." / "D3." / "1." / "1)" prefix
    <!-- quizsite: multiple draft -->  <- optional, written only when needed

    optional body: text, code fences, images

    - [ ] incorrect option
    - [x] correct option               <- "[X]" too
    - [~] partially correct option     <- quizsite extension (GitHub shows it as text)
      indented continuation belongs to the option

      > per-option feedback: a blockquote at the end of the option
      > (quizsite extension)

    Text after the options is the explanation.

Question headings, as real files write them: ``###`` or ``####`` headings (numbered or
not); or numbered ``##`` headings (``## Q1``, ``## 1.``, ``## Question 1``); or numbered
bold lines (``**1.** text``, ``**Q1.**``, ``**1. text**``). A file uses one style: the one
with the most numbered headings, ``###``/``####`` on a tie, so that a numbered ``## 1.``
section heading or bold ``**1.**`` line in a file of ``### Q1.`` questions stays text. The
title is the first ``#`` or ``##`` heading before the first question that is not one.

Semantics: one ``[x]`` = single choice, several = multiple choice; no ``[x]``
imports the question as an unpublished draft with a warning (never guessed); a
question without checkbox options is skipped, and its warning names and quotes
its lines, unless its ``<!-- quizsite: ... -->`` line says ``draft``: then it is a
draft whose options are still to come, and a ``<!-- quizsite: explanation -->``
line separates its text from its explanation.
A fenced code block that follows an option after blank lines belongs to that
option, as in the LinkedIn files.

Writer rules that make ``parse(write(q))`` lossless:

* The first line of the question goes into the heading when it is a
  paragraph of its own and fits on a heading line; otherwise the heading is
  just ``### Q<n>.`` and the whole text is the body.
* ``<!-- quizsite: ... -->`` carries what checkboxes cannot: ``draft`` for an
  unpublished question and the kind when it differs from the [x] count;
  ``<!-- quizsite: explanation -->`` ends the options when the explanation
  starts with a code fence (which would otherwise belong to the last option),
  and the text of a draft without options when it has an explanation.
* Multi-line options are indented by two spaces; feedback is an indented
  blockquote after a blank line, so option-text lines starting with ``>`` are
  backslash-escaped, as are free-text lines that look like question headings of any
  style, task-list options or quizsite comments (see ``_markdown``).

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
from .structure import question_tokens, read_question_tokens

QHEAD_RE = re.compile(r"^#{3,4}(?:[ \t]+(?P<title>.*?))?[ \t]*$")
H2_RE = re.compile(r"^##[ \t]+(?P<title>.*?)[ \t]*$")
# "**1.** text" (the number alone in bold) or "**1. text**" (the whole line).
BOLD_NUMBER_RE = re.compile(r"^\*\*(?P<number>[^*\s][^*]*?)\*\*(?:[ \t]+(?P<title>.*?))?[ \t]*$")
BOLD_LINE_RE = re.compile(r"^\*\*(?P<title>[^*\s].*?)\*\*[ \t]*$")
TITLE_RE = re.compile(r"^#{1,2}(?:[ \t]+(?P<title>.*?))?[ \t]*$")
OPTION_RE = re.compile(
    r"^(?P<ind>[ ]{0,3})[-*+][ \t]+\[(?P<mark>[ xX~])\](?:[ \t]+(?P<text>.*)|[ \t]*)$"
)
_WORD = r"(?i:task|question|задание|вопрос|питання)[ \t]*"
# "Q1." "D3." "1)" "Question 2:"; "Q1" and "Question 2" without the stop too.
PREFIX_RE = re.compile(
    rf"^(?:(?:[A-Z]{{1,2}}|{_WORD})?(?P<num>\d+)[.):]|(?:Q|{_WORD})(?P<bare>\d+))(?=\s|$)"
)
BULLET_RE = re.compile(r"^[ ]{0,3}[-*+][ \t]+\S")
HEADING_RE = re.compile(r"^[ ]{0,3}#{1,6}(?:[ \t]|$)")
QUOTE_RE = re.compile(r"^[ \t]*>")

MARK_VERDICT = {" ": INCORRECT, "x": CORRECT, "X": CORRECT, "~": PARTIAL}
VERDICT_MARK = {INCORRECT: " ", CORRECT: "x", PARTIAL: "~"}


def _h34_title(line: str) -> str | None:
    m = QHEAD_RE.match(line)
    return None if m is None else (m.group("title") or "")


def _h2_title(line: str) -> str | None:
    """The text of a numbered "##" heading ("## Q1", "## 1. text"); None for any other line."""
    m = H2_RE.match(line)
    return m.group("title") if m and PREFIX_RE.match(m.group("title")) else None


def _bold_title(line: str) -> str | None:
    """ "1. text" for "**1.** text" and "**1. text**"; None unless the bold starts numbered."""
    if (m := BOLD_NUMBER_RE.match(line)) and PREFIX_RE.fullmatch(m.group("number")):
        return " ".join(part for part in (m.group("number"), m.group("title")) if part)
    if (m := BOLD_LINE_RE.match(line)) and PREFIX_RE.match(m.group("title")):
        return m.group("title")
    return None


# Heading styles: the "###"/"####" one first, which wins ties.
_STYLES = (_h34_title, _h2_title, _bold_title)


def _question_heads(lines: list[str]) -> list[tuple[int, str]]:
    """(index, heading text) of each question heading, in the style the file uses."""
    found: list[list[tuple[int, str]]] = [[] for _ in _STYLES]
    for i in md.outside_code(lines):
        for heads, title in zip(found, _STYLES, strict=True):
            if (text := title(lines[i])) is not None:
                heads.append((i, text))
    numbered = [sum(bool(PREFIX_RE.match(text)) for _, text in heads) for heads in found]
    # Unnumbered "###" headings count when no other style has a number.
    best = max(range(len(_STYLES)), key=lambda k: (numbered[k], bool(found[k]), -k))
    return found[best]


def _structural(line: str) -> bool:
    return bool(
        any(title(line) is not None for title in _STYLES)
        or OPTION_RE.match(line)
        or md.META_RE.match(line)
    )


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
        found = _question_heads(lines)
        if not found:
            self.error(0, Code.NO_QUESTIONS)
            return None
        heads = [i for i, _ in found]
        titles = (i for i in md.outside_code(lines, 0, heads[0]) if TITLE_RE.match(lines[i]))
        title_index = next(titles, None)
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
        bounds = zip(found, [*heads[1:], len(lines)], strict=True)
        questions = [
            q for (h, heading), end in bounds if (q := self._question(h, heading, end)) is not None
        ]
        if not questions:
            self.error(heads[0], Code.TASKLIST_NO_OPTIONS)
        if self.errors:
            return None
        return ParsedQuiz(
            title=title,
            description=description,
            questions=questions,
            settings=self.settings,
            sections=self.sections,
            bank=self.bank,
        )

    def _question(self, head: int, heading: str, end: int) -> ParsedQuestion | None:
        lines = self.lines
        heading = heading.strip()
        number = None
        if p := PREFIX_RE.match(heading):
            number = int(p.group("num") or p.group("bare"))
            heading = heading[p.end() :].strip()

        tokens, i = md.leading_meta(lines, head + 1, end)
        options_at = (j for j in md.outside_code(lines, i, end) if OPTION_RE.match(lines[j]))
        opt_start = next(options_at, None)
        if opt_start is None:
            return self._draft_without_options(head, heading, number, tokens, i, end)
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
        question = ParsedQuestion(
            text=text,
            kind=meta_kind(tokens) or implied_kind(options),
            options=options,
            explanation=explanation,
            line=head + 1,
            number=number,
            published=published,
        )
        read_question_tokens(question, tokens)
        return question

    def _draft_without_options(
        self, head: int, heading: str, number: int | None, tokens: set[str], start: int, end: int
    ) -> ParsedQuestion | None:
        """A question without checkbox options: a draft when its quizsite line says so (the
        writer's ``<!-- quizsite: explanation -->`` line then ends its text), else skipped.

        Only a file that marks the question as a draft says the options are still to come; in
        any other file a question without them is something the parser does not understand.
        """
        lines = self.lines
        marker = next(
            (j for j in md.outside_code(lines, start, end) if md.is_meta_line(lines[j])), end
        )
        body = md.join_text(lines[start:marker], _structural)
        text = "\n\n".join(part for part in (heading, body) if part)
        if "draft" not in tokens or not text:
            self.warn_not_imported(head, end, Code.TASKLIST_QUESTION_SKIPPED)
            return None
        question = ParsedQuestion(
            text=text,
            kind=meta_kind(tokens) or implied_kind([]),
            options=[],
            explanation=md.join_text(lines[marker + 1 : end], _structural),
            line=head + 1,
            number=number,
            published=False,
        )
        read_question_tokens(question, tokens)
        return question

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
        tokens += question_tokens(q)
        if tokens:
            out += ["", md.meta_line(tokens)]
        if body:
            out += ["", md.escape_text(body, _structural)]
        if q.options:
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
            if not q.options or md.is_fence_line(explanation.split("\n", 1)[0]):
                # Without options nothing else ends the text; and a fence right after an
                # option would belong to that option.
                out += ["", md.meta_line(["explanation"])]
            out += ["", explanation]
    return "\n".join(out) + "\n"
