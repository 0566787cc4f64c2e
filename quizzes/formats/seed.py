"""The "seed" question format (markdown with ✅/❌/⚠️ bullets).

Layout::

    # Quiz title

    optional description

    - [Задание 1](#задание-1)          <- table of contents (informational)

    ## Задание 1                       <- or "## Task 1"; the number is optional
    <!-- quizsite: draft -->           <- optional, marks an unpublished question

    **Question text**                  <- bold line is unwrapped; more paragraphs,
                                          code and images may follow
    Выберите один вариант из списка:   <- or "Select all that apply" / "Choose one"

    * ✅ correct option                 <- "-" bullets too; ⚠️ = partial
    * ❌ incorrect option
      indented continuation lines belong to the option

    ---

    ### Объяснение                     <- or "### Explanation"

    General explanation.

    #### ✅ 1. correct option           <- per-option feedback, matched by number
    Feedback.                          <- or by option text (emphasis ignored,
                                          extra text after a dash allowed)
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
* Per-option sections are numbered so they match even when texts repeat.

Known limits: text fields are returned stripped, the title must be a single
line and question numbers non-negative; free text must not leave a code fence
open (``write_seed`` raises ``ValueError`` in these cases).
"""

from __future__ import annotations

import re
import unicodedata

from . import _markdown as md
from ._writing import item_lines, preamble_lines, validate_quiz
from .model import (
    CORRECT,
    INCORRECT,
    KINDS,
    MULTIPLE,
    PARTIAL,
    SINGLE,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    Problem,
)

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

INSTRUCTION_TEXT = {
    SINGLE: "Выберите один вариант из списка:",
    MULTIPLE: "Выберите все подходящие ответы из списка:",
}


def _structural(line: str) -> bool:
    return bool(
        QHEAD_RE.match(line)
        or EXPL_RE.match(line)
        or SECTION_RE.match(line)
        or OPTION_RE.match(line)
        or SEP_RE.match(line)
        or TOC_RE.match(line)
        or md.META_RE.match(line)
    )


def _stop_lazy(line: str) -> bool:
    return bool(BULLET_RE.match(line) or HEADING_RE.match(line) or SEP_RE.match(line))


def _instruction_kind(line: str) -> str | None:
    """ "single"/"multiple" for a known instruction, "" for an unknown one."""
    s = line.strip().strip("*_").strip()
    if INSTRUCTION_MULTIPLE.match(s):
        return MULTIPLE
    if INSTRUCTION_SINGLE.match(s):
        return SINGLE
    if INSTRUCTION_ANY.match(s):
        return ""
    return None


_EMPHASIS_RE = re.compile(r"[*_`]")
_EMOJI_RE = re.compile(r"[✅❌⚠\ufe0f✔✖]")
_NUM_PREFIX_RE = re.compile(r"^(?P<num>\d+)[.)](?:\s+|$)")
_EDGE_PUNCT = " \t.,:;!?—–-\"'«»()[]"
_DASHES = ("—", "–", "-", ":", "(")


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", _EMOJI_RE.sub("", _EMPHASIS_RE.sub("", text)))
    text = " ".join(text.split())
    return text.strip(_EDGE_PUNCT).casefold()


def _heading_parts(heading: str) -> tuple[int | None, str]:
    text = re.sub(r"^####[ \t]+", "", heading)
    text = _EMOJI_RE.sub("", _EMPHASIS_RE.sub("", text)).strip()
    m = _NUM_PREFIX_RE.match(text)
    if m:
        return int(m.group("num")), text[m.end() :]
    return None, text


def _heading_matches(heading_key: str, option_key: str) -> bool:
    if not option_key or not heading_key.startswith(option_key):
        return False
    rest = heading_key[len(option_key) :].strip()
    return rest == "" or rest.startswith(_DASHES)


def _match_sections(
    options: list[ParsedOption], sections: list[tuple[int, str, list[str]]]
) -> list[int] | str:
    """Map each section to an option index, or explain why that is impossible."""
    if len(sections) != len(options):
        return f"{len(sections)} per-option sections for {len(options)} options"
    parts = [_heading_parts(heading) for _, heading, _ in sections]
    numbers = [num for num, _ in parts]
    if None not in numbers and sorted(numbers) == list(range(1, len(options) + 1)):
        return [num - 1 for num in numbers]
    keys = [_normalize(o.text) for o in options]
    mapping: list[int] = []
    for (line_no, _heading, _), (_num, rest) in zip(sections, parts, strict=True):
        h = _normalize(rest)
        candidates = [k for k, key in enumerate(keys) if _heading_matches(h, key)]
        if len(candidates) != 1:
            what = "no option" if not candidates else "several options"
            return f"the section at line {line_no} matches {what}"
        mapping.append(candidates[0])
    if len(set(mapping)) != len(mapping):
        return "several sections match the same option"
    return mapping


class _SeedParser:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []

    def warn(self, index: int | None, message: str) -> None:
        self.warnings.append(Problem(None if index is None else index + 1, message))

    def error(self, index: int | None, message: str) -> None:
        self.errors.append(Problem(None if index is None else index + 1, message))

    def parse(self) -> ParsedQuiz | None:
        lines = self.lines
        if not "".join(lines).strip():
            self.error(0, "the file is empty")
            return None
        tracker = md.FenceTracker()
        heads = [
            i for i, line in enumerate(lines) if not tracker.feed(line) and QHEAD_RE.match(line)
        ]
        first_q = heads[0] if heads else len(lines)
        title, description, toc = self._preamble(first_q)
        if not heads:
            self.error(
                0, "no questions found: expected headings like '## Задание 1' or '## Task 1'"
            )
            return None
        bounds = list(zip(heads, [*heads[1:], len(lines)], strict=True))
        questions = [q for h, end in bounds if (q := self._question(h, end)) is not None]
        numbers = {q.number for q in questions}
        for index, label, num in toc:
            if num not in numbers:
                self.warn(
                    index,
                    f"the table of contents lists '{label}' but the file has no such question",
                )
        if self.errors:
            return None
        return ParsedQuiz(title=title, description=description, questions=questions)

    def _preamble(self, end: int) -> tuple[str, str, list[tuple[int, str, int]]]:
        title: str | None = None
        rest: list[str] = []
        toc: list[tuple[int, str, int]] = []
        tracker = md.FenceTracker()
        for i in range(end):
            line = self.lines[i]
            if tracker.feed(line):
                rest.append(line)
            elif title is None and (m := TITLE_RE.match(line)):
                title = m.group("title") or ""
            elif m := TOC_RE.match(line):
                toc.append((i, " ".join(m.group("label").split()), int(m.group("num"))))
            else:
                rest.append(line)
        if title is None:
            self.warn(0, "no '# Title' heading before the first question: the title is empty")
            title = ""
        return title.strip(), md.join_text(rest, _structural), toc

    def _question(self, head: int, end: int) -> ParsedQuestion | None:
        lines = self.lines
        m = QHEAD_RE.match(lines[head])
        assert m is not None
        number = int(m.group("num")) if m.group("num") else None
        label = lines[head].lstrip("#").strip()

        i = md.first_nonblank(lines, head + 1, end)
        tokens: set[str] = set()
        if i < end and (found := md.meta_tokens(lines[i])) is not None:
            tokens = found
            i += 1

        # Body: everything up to the first verdict bullet outside code blocks.
        tracker = md.FenceTracker()
        opt_start = None
        for j in range(i, end):
            if tracker.feed(lines[j]):
                continue
            if OPTION_RE.match(lines[j]):
                opt_start = j
                break
            if EXPL_RE.match(lines[j]):
                break
        if opt_start is None:
            self.error(head, f"'{label}' has no options (expected bullets like '* ✅ answer')")
            return None

        body = lines[i:opt_start]
        while body and md.is_blank(body[-1]):
            body.pop()
        kind: str | None = None
        has_text_before = any(not md.is_blank(x) for x in body[:-1])
        if has_text_before and (found_kind := _instruction_kind(body[-1])) is not None:
            kind = found_kind or None
            if not found_kind:
                self.warn(
                    i + len(body) - 1,
                    f"'{label}': unknown instruction line, the question type is inferred",
                )
            body.pop()
        while body and md.is_blank(body[-1]):
            body.pop()
        while body and md.is_blank(body[0]):
            body.pop(0)
        if body and (b := BOLD_RE.match(body[0])) and (len(body) == 1 or md.is_blank(body[1])):
            body[0] = b.group("inner")
        text = md.join_text(body, _structural)
        if not text:
            self.error(head, f"'{label}' has no question text")

        options, j = self._options(opt_start, end)
        explanation, j = self._explanation(j, end, options, label)

        correct = sum(o.verdict == CORRECT for o in options)
        published = "draft" not in tokens
        if correct == 0 and published:
            self.error(head, f"'{label}' has no correct (✅) option")
        if tokens & set(KINDS):
            kind = next(k for k in KINDS if k in tokens)
        if kind is None:
            kind = MULTIPLE if correct > 1 else SINGLE
        elif kind == SINGLE and correct > 1:
            self.warn(head, f"'{label}' is single-choice but has {correct} correct options")
        return ParsedQuestion(
            text=text,
            kind=kind,
            options=options,
            explanation=explanation,
            line=head + 1,
            number=number,
            published=published,
        )

    def _options(self, start: int, end: int) -> tuple[list[ParsedOption], int]:
        lines = self.lines
        options: list[ParsedOption] = []
        j = start
        while j < end:
            line = lines[j]
            if md.is_blank(line):
                j += 1
                continue
            m = OPTION_RE.match(line)
            if m:
                indent = len(m.group("ind").expandtabs(4)) + 2
                item, nxt = md.consume_item(
                    lines, j + 1, end, m.group("text") or "", indent, stop_lazy=_stop_lazy
                )
                text = md.join_text(item, _structural)
                if not text:
                    self.error(j, "option has no text")
                verdict = EMOJI_VERDICT[m.group("emoji")[0]]
                options.append(ParsedOption(text=text, verdict=verdict, line=j + 1))
                j = nxt
                continue
            if SEP_RE.match(line):
                break
            if BULLET_RE.match(line):
                self.error(
                    j,
                    f"option without a verdict (expected ✅, ❌ or ⚠️ after the bullet): "
                    f"{line.strip()[:60]!r}",
                )
                j += 1
                continue
            break
        return options, j

    def _explanation(
        self, start: int, end: int, options: list[ParsedOption], label: str
    ) -> tuple[str, int]:
        lines = self.lines
        j = start
        while j < end and (md.is_blank(lines[j]) or SEP_RE.match(lines[j])):
            j += 1
        if j >= end:
            return "", end
        if EXPL_RE.match(lines[j]):
            region_start = j + 1
        else:
            self.warn(
                j,
                f"'{label}': text after the options without an '### Объяснение' heading "
                "is used as the explanation",
            )
            region_start = j
        region = lines[region_start:end]
        while region and (md.is_blank(region[-1]) or SEP_RE.match(region[-1])):
            region.pop()

        tracker = md.FenceTracker()
        heads = [
            k for k, line in enumerate(region) if not tracker.feed(line) and SECTION_RE.match(line)
        ]
        if not heads:
            return md.join_text(region, _structural), end
        sections = [
            (region_start + h + 1, region[h], region[h + 1 : nxt])
            for h, nxt in zip(heads, [*heads[1:], len(region)], strict=True)
        ]
        mapping = _match_sections(options, sections)
        if isinstance(mapping, str):
            self.warn(
                region_start + heads[0],
                f"'{label}': per-option explanations kept on the question ({mapping})",
            )
            return md.join_text(region, _structural), end
        for (_, _, body), index in zip(sections, mapping, strict=True):
            options[index].feedback = md.join_text(body, _structural)
        return md.join_text(region[: heads[0]], _structural), end


def parse_seed(text: str) -> tuple[ParsedQuiz | None, list[Problem], list[Problem]]:
    """Parse seed-format text; returns (quiz or None, warnings, errors)."""
    parser = _SeedParser(text)
    quiz = parser.parse()
    return quiz, parser.warnings, parser.errors


# --------------------------------------------------------------------------- writer


def _section_label(text: str) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    if md.is_fence_line(first):
        return ""
    return first if len(first) <= 80 else first[:77].rstrip() + "..."


def write_seed(quiz: ParsedQuiz) -> str:
    validate_quiz(quiz)
    out = preamble_lines(quiz, _structural)
    toc = [
        f"- [Задание {q.number}](#задание-{q.number})"
        for q in quiz.questions
        if q.number is not None
    ]
    if toc:
        out += ["", *toc]
    for q in quiz.questions:
        out += ["", "## Задание" if q.number is None else f"## Задание {q.number}"]
        if not q.published:
            out += ["", md.meta_line(["draft"])]
        body = md.escape_text(q.text.strip(), _structural).split("\n")
        if not md.is_fence_line(body[0]) and (len(body) == 1 or md.is_blank(body[1])):
            body[0] = f"**{body[0]}**"
        out += ["", *body, "", INSTRUCTION_TEXT[q.kind], ""]
        for o in q.options:
            out += item_lines(f"* {VERDICT_EMOJI[o.verdict]}", o.text, _structural)
        has_feedback = any(o.feedback.strip() for o in q.options)
        if q.explanation.strip() or has_feedback:
            out += ["", "---", "", "### Объяснение"]
            if q.explanation.strip():
                out += ["", md.escape_text(q.explanation.strip(), _structural)]
            if has_feedback:
                for n, o in enumerate(q.options, 1):
                    label = _section_label(o.text)
                    out += ["", f"#### {VERDICT_EMOJI[o.verdict]} {n}. {label}".rstrip()]
                    if o.feedback.strip():
                        out += ["", md.escape_text(o.feedback.strip(), _structural)]
        out += ["", "---"]
    return "\n".join(out) + "\n"
