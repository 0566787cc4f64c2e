"""Reading the "seed" format (the layout and the writer are in ``seed``).

Per-option explanation sections ("#### ✅ 1. option — note") go to their options as
``seed_sections`` explains; when no one-to-one match exists the whole explanation stays
on the question and a warning says why.
"""

from __future__ import annotations

import dataclasses

from . import _markdown as md
from ._parsing import LineParser, meta_kind
from .model import (
    CORRECT,
    MULTIPLE,
    SINGLE,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    implied_kind,
)
from .problems import Code, Problem
from .seed import (
    BOLD_RE,
    BULLET_RE,
    EMOJI_VERDICT,
    EXPL_RE,
    HEADING_RE,
    INSTRUCTION_ANY,
    INSTRUCTION_MULTIPLE,
    INSTRUCTION_SINGLE,
    OPTION_RE,
    QHEAD_RE,
    SECTION_RE,
    SEP_RE,
    TITLE_RE,
    TOC_RE,
    plain_instruction,
    structural,
)
from .seed_sections import heading_note, match_sections, read_section
from .structure import read_question_tokens


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


class _SeedParser(LineParser):
    def parse(self) -> ParsedQuiz | None:
        lines = self.lines
        heads = [i for i in md.outside_code(lines) if QHEAD_RE.match(lines[i])]
        first_q = heads[0] if heads else len(lines)
        title, description, toc = self._preamble(first_q)
        if not heads:
            self.error(0, Code.NO_QUESTIONS)
            return None
        bounds = list(zip(heads, [*heads[1:], len(lines)], strict=True))
        questions = [q for h, end in bounds if (q := self._question(h, end)) is not None]
        numbers = {q.number for q in questions}
        for index, label, num in toc:
            if num not in numbers:
                self.warn(index, Code.SEED_TOC_MISSING, label=label)
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
            elif self.read_settings(i):
                continue
            elif m := TOC_RE.match(line):
                toc.append((i, " ".join(m.group("label").split()), int(m.group("num"))))
            else:
                rest.append(line)
        if title is None:
            self.warn(0, Code.SEED_NO_TITLE)
            title = ""
        return title.strip(), md.join_text(rest, structural), toc

    def _question(self, head: int, end: int) -> ParsedQuestion | None:
        lines = self.lines
        m = QHEAD_RE.match(lines[head])
        assert m is not None
        number = int(m.group("num")) if m.group("num") else None
        label = lines[head].lstrip("#").strip()
        tokens, i = md.leading_meta(lines, head + 1, end)
        published = "draft" not in tokens
        opt_start = self._options_start(i, end)
        if opt_start is None and published:
            self.error(head, Code.SEED_NO_OPTIONS, label=label)
            return None
        # A draft may have no options yet: its text runs to the rule or explanation heading.
        text_end = self._text_end(i, end) if opt_start is None else opt_start
        text, kind = self._body(i, text_end, label)
        if not text:
            self.error(head, Code.SEED_NO_TEXT, label=label)

        options: list[ParsedOption] = []
        j = text_end
        if opt_start is not None:
            options, j = self._options(opt_start, end)
        explanation, j = self._explanation(j, end, options, label)
        kind = self._settle_kind(head, label, meta_kind(tokens) or kind, options, published)
        question = ParsedQuestion(
            text=text,
            kind=kind,
            options=options,
            explanation=explanation,
            line=head + 1,
            number=number,
            published=published,
        )
        read_question_tokens(question, tokens)
        return question

    def _options_start(self, start: int, end: int) -> int | None:
        """The first verdict bullet outside code blocks, unless the explanation comes first."""
        for j in md.outside_code(self.lines, start, end):
            if OPTION_RE.match(self.lines[j]):
                return j
            if EXPL_RE.match(self.lines[j]):
                return None
        return None

    def _text_end(self, start: int, end: int) -> int:
        """Where the text of a question without options ends: its first ``---`` rule or
        explanation heading outside code blocks (``end`` without either)."""
        for j in md.outside_code(self.lines, start, end):
            if SEP_RE.match(self.lines[j]) or EXPL_RE.match(self.lines[j]):
                return j
        return end

    def _body(self, start: int, stop: int, label: str) -> tuple[str, str | None]:
        """The question text, and the kind its instruction line names (None: to be inferred)."""
        body = self.lines[start:stop]
        while body and md.is_blank(body[-1]):
            body.pop()
        kind: str | None = None
        has_text_before = any(not md.is_blank(x) for x in body[:-1])
        if has_text_before and (found_kind := _instruction_kind(body[-1])) is not None:
            # Only a line that says no more than the type is dropped; one with the author's
            # own words is question text, whose type is read from it when it names one.
            kind = found_kind or None
            if plain_instruction(body[-1]):
                if not found_kind:
                    self.warn(
                        start + len(body) - 1,
                        Code.SEED_UNKNOWN_INSTRUCTION,
                        label=label,
                        instruction=body[-1].strip(),
                    )
                body.pop()
        while body and md.is_blank(body[-1]):
            body.pop()
        while body and md.is_blank(body[0]):
            body.pop(0)
        if body and (b := BOLD_RE.match(body[0])) and (len(body) == 1 or md.is_blank(body[1])):
            body[0] = b.group("inner")
        return md.join_text(body, structural), kind

    def _settle_kind(
        self, head: int, label: str, kind: str | None, options: list[ParsedOption], published: bool
    ) -> str:
        """The question's kind (inferred when not given), after checking the verdicts fit it."""
        correct = sum(o.verdict == CORRECT for o in options)
        if correct == 0 and published:
            self.error(head, Code.SEED_NO_CORRECT, label=label)
        if kind is None:
            return implied_kind(options)
        if kind == SINGLE and correct > 1:
            self.warn(head, Code.SEED_SEVERAL_CORRECT, label=label, count=correct)
        return kind

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
                text = md.join_text(item, structural)
                if not text:
                    self.error(j, Code.SEED_OPTION_NO_TEXT)
                verdict = EMOJI_VERDICT[m.group("emoji")[0]]
                options.append(ParsedOption(text=text, verdict=verdict, line=j + 1))
                j = nxt
                continue
            if SEP_RE.match(line):
                break
            if BULLET_RE.match(line):
                self.error(j, Code.SEED_OPTION_NO_VERDICT, excerpt=line.strip()[:60])
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
            self.warn(j, Code.SEED_UNHEADED_EXPLANATION, label=label)
            region_start = j
        region = lines[region_start:end]
        while region and (md.is_blank(region[-1]) or SEP_RE.match(region[-1])):
            region.pop()

        heads = [k for k in md.outside_code(region) if SECTION_RE.match(region[k])]
        if not heads:
            return md.join_text(region, structural), end
        sections = [
            read_section(region_start + h + 1, region[h], region[h + 1 : nxt])
            for h, nxt in zip(heads, [*heads[1:], len(region)], strict=True)
        ]
        mapping = match_sections(options, sections, label)
        if not isinstance(mapping, list):
            self.warnings.append(dataclasses.replace(mapping, line=region_start + heads[0] + 1))
            return md.join_text(region, structural), end
        for section, index in zip(sections, mapping, strict=True):
            option = options[index]
            parts = (heading_note(section, option.text), md.join_text(section.body, structural))
            option.feedback = "\n\n".join(part for part in parts if part)
        return md.join_text(region[: heads[0]], structural), end


def parse_seed(text: str) -> tuple[ParsedQuiz | None, list[Problem], list[Problem]]:
    """Parse seed-format text; returns (quiz or None, warnings, errors)."""
    return _SeedParser(text).run()
