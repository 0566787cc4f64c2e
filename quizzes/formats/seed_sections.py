"""Per-option explanation sections of the seed format: "#### ✅ 1. option — note".

A section belongs to an option by its number when the sections are numbered 1..n; else by
the option's text, compared on letters and digits alone so that emphasis, code spans,
brackets and punctuation on either side do not matter; else by verdict emoji, in order.

The heading's own words beyond the option's - the note, "note" above - open the option's
feedback: authors often put the whole verdict in the heading, and a section may be that
heading alone. A heading that only names the option (as the writer's do) adds nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import ParsedOption
from .problems import Code, Problem, problem
from .seed import EMOJI_VERDICT

_HEAD_RE = re.compile(
    r"^####[ \t]+(?P<lead>(?:[*_ \t]|✅|❌|⚠\ufe0f?)*)"
    r"(?:(?P<num>\d+)[.)](?=[ \t]|$))?[ \t]*(?P<rest>.*?)[ \t]*$"
)
_LEAD_EMOJI_RE = re.compile(r"^[ \t]*(?P<emoji>✅|❌|⚠\ufe0f?)[ \t]*")
# What may close the option's name in a heading before the note starts: emphasis, code
# spans, brackets and quotes.
_CLOSING = "*_`)]}»”’\"'"
_JOINTS = " \t—–-:;,.!?"
_ELLIPSIS = "..."


@dataclass
class Section:
    line: int  # of the heading, 1-based
    body: list[str]
    verdict: str | None
    number: int | None
    opener: str  # emphasis opened before the number: "**" in "#### ✅ **1. text**"
    rest: str  # the heading after the verdict and the number


def read_section(line: int, heading: str, body: list[str]) -> Section:
    m = _HEAD_RE.match(unicodedata.normalize("NFC", heading))
    assert m is not None, heading
    lead, rest = m.group("lead"), m.group("rest")
    emoji = re.search(r"✅|❌|⚠", lead)
    if emoji is None and (e := _LEAD_EMOJI_RE.match(rest)):
        emoji, rest = e, rest[e.end() :]
    return Section(
        line=line,
        body=body,
        verdict=EMOJI_VERDICT[emoji.group()[0]] if emoji else None,
        number=int(m.group("num")) if m.group("num") else None,
        opener=re.sub(r"[^*_]", "", lead),
        rest=rest,
    )


def _letters(text: str) -> list[str]:
    return [ch.casefold() for ch in unicodedata.normalize("NFC", text) if ch.isalnum()]


def _first_line(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip().split("\n", 1)[0].strip())


def _end_of(rest: str, key: list[str]) -> int | None:
    """Where the letters and digits ``key`` end in ``rest``.

    None unless ``rest`` starts with all of them, other characters aside, and a word ends
    there.
    """
    k = 0
    for i, ch in enumerate(rest):
        if not ch.isalnum():
            continue
        if k == len(key) or ch.casefold() != key[k]:
            return None
        k += 1
        if k == len(key):
            return None if rest[i + 1 : i + 2].isalnum() else i + 1
    return None


def _option_in(rest: str, text: str) -> tuple[int, int] | None:
    """Where the option's text ends in the heading, and how many letters and digits it has.

    The heading may name the whole text or, for an option of several lines, its first line.
    The end is past the brackets, quotes and emphasis that close the option's name
    ("**torch.nn.ReLU()** — note").
    """
    for candidate in dict.fromkeys((text, _first_line(text))):
        key = _letters(candidate)
        if not key or (end := _end_of(rest, key)) is None:
            continue
        tail = re.sub(r"^.*\w", "", candidate, flags=re.DOTALL)
        while end < len(rest) and not rest[end].isspace() and rest[end] in tail + _CLOSING:
            end += 1
        return end, len(key)
    return None


def _ends_word(text: str, count: int) -> bool:
    """True when the ``count``-th letter or digit of ``text`` ends a word (0: its start does)."""
    text = unicodedata.normalize("NFC", text)
    seen = 0
    for i, ch in enumerate(text):
        if seen == count:
            return not (ch.isalnum() and text[i - 1 : i].isalnum())
        seen += ch.isalnum()
    return True


def _names_option(rest: str, text: str) -> bool:
    """True when the heading names the option and says nothing more.

    That is the option's first line (the writer's label, maybe cut short with "..."), or
    whole words from the start of the option, other characters aside.
    """
    first = _first_line(text)
    if rest in ("", first):
        return True
    if rest.endswith(_ELLIPSIS) and first.startswith(rest[: -len(_ELLIPSIS)].rstrip()):
        return True
    letters = _letters(rest)
    return _letters(text)[: len(letters)] == letters and _ends_word(text, len(letters))


def heading_note(section: Section, text: str) -> str:
    """The words of the section's heading that are not the text of its option."""
    rest = section.rest
    if _names_option(rest, text):
        return ""
    found = _option_in(rest, text)
    if found is None:
        return (section.opener + rest).strip()
    name, note = rest[: found[0]], rest[found[0] :].lstrip(_JOINTS)
    if section.opener and not name.endswith(section.opener[::-1]):
        # "**option — note**": the emphasis closes after the note.
        note = note.removesuffix(section.opener[::-1])
    return note.strip()


def _by_text(
    options: list[ParsedOption], sections: list[Section], label: str
) -> list[int] | Problem:
    mapping: list[int] = []
    for section in sections:
        lengths = {
            k: found[1]
            for k, o in enumerate(options)
            if (found := _option_in(section.rest, o.text))
        }
        # "Adam" and "Adam with decay": a heading names the longest option it starts with.
        longest = max(lengths.values(), default=0)
        best = [k for k, length in lengths.items() if length == longest]
        if not best:
            return problem(None, Code.SEED_SECTION_NO_MATCH, label=label, section=section.line)
        if len(best) > 1:
            return problem(
                None, Code.SEED_SECTION_SEVERAL_MATCHES, label=label, section=section.line
            )
        mapping.append(best[0])
    if len(set(mapping)) != len(mapping):
        return problem(None, Code.SEED_SECTIONS_SAME_OPTION, label=label)
    return mapping


def match_sections(
    options: list[ParsedOption], sections: list[Section], label: str
) -> list[int] | Problem:
    """The option index of each section, or a warning (without a line) about the question
    ``label`` that says why no one-to-one match exists."""
    if len(sections) != len(options):
        return problem(
            None,
            Code.SEED_SECTIONS_COUNT,
            label=label,
            sections=len(sections),
            options=len(options),
        )
    numbers = [s.number or 0 for s in sections]
    if sorted(numbers) == list(range(1, len(options) + 1)):
        return [n - 1 for n in numbers]
    mapping = _by_text(options, sections, label)
    if isinstance(mapping, list):
        return mapping
    if [s.verdict for s in sections] == [o.verdict for o in options]:
        return list(range(len(options)))
    return mapping
