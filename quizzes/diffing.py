"""What changed in a question, for a person to read: the import preview shows it per question.

Pure Python (no Django): texts are compared word by word within the lines that changed, with
unchanged lines far from any change left out; options are matched by their text, so an option
added, removed, moved or edited reads as such, whatever position the importer gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from quizzes.formats import ParsedOption, ParsedQuestion

SAME = "same"
ADDED = "added"
REMOVED = "removed"
# Unchanged lines left out; Segment.lines says how many.
SKIPPED = "skipped"

# Unchanged lines kept on each side of a change.
CONTEXT_LINES = 1
# Word-level comparison is quadratic at worst: blocks beyond this many token pairs are
# shown as removed and added whole (10,000-character texts are allowed).
MAX_TOKEN_PAIRS = 250_000

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    kind: str  # SAME, ADDED, REMOVED or SKIPPED
    text: str = ""
    lines: int = 0  # SKIPPED only


TextDiff = tuple[Segment, ...]


@dataclass(frozen=True)
class OptionChange:
    """One option added, removed or changed. `number` counts from 1 in the new version
    (in the old one for a removed option); `before` is its old number when it has one.
    `verdict` is (old, new) when it changed; an added option has only a new one ("", new),
    a removed option only an old one (old, "")."""

    status: str  # ADDED, REMOVED or "changed"
    number: int
    text: str
    before: int | None = None
    text_diff: TextDiff = ()
    verdict: tuple[str, str] | None = None
    feedback: TextDiff = ()
    # Moved against the other options (not merely shifted by an addition or removal).
    moved: bool = False


@dataclass(frozen=True)
class QuestionChanges:
    text: TextDiff = ()
    explanation: TextDiff = ()
    kind: tuple[str, str] | None = None
    published: tuple[bool, bool] | None = None
    options: tuple[OptionChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text or self.explanation or self.kind or self.published or self.options)

    @property
    def reordered(self) -> bool:
        return any(option.moved for option in self.options)


def diff_text(before: str, after: str) -> TextDiff:
    """Empty when the texts are equal; otherwise the segments that turn one into the other."""
    if before == after:
        return ()
    old, new = _LINE.findall(before), _LINE.findall(after)
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    segments: list[Segment] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            segments += _context(old[i1:i2], first=index == 0, last=index == len(opcodes) - 1)
        else:
            segments += _diff_words("".join(old[i1:i2]), "".join(new[j1:j2]))
    return _merged(segments)


def _context(lines: list[str], *, first: bool, last: bool) -> list[Segment]:
    """Unchanged lines: those next to a change, and how many were left out between."""
    head = [] if first else lines[:CONTEXT_LINES]
    rest = lines[len(head) :]
    tail = [] if last else rest[-CONTEXT_LINES:]
    skipped = len(rest) - len(tail)
    segments = [Segment(SAME, "".join(head))] if head else []
    if skipped:
        segments.append(Segment(SKIPPED, lines=skipped))
    if tail:
        segments.append(Segment(SAME, "".join(tail)))
    return segments


def _diff_words(before: str, after: str) -> list[Segment]:
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    if len(old) * len(new) > MAX_TOKEN_PAIRS:
        return [Segment(REMOVED, before), Segment(ADDED, after)]
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    segments: list[Segment] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        inside = 0 < index < len(opcodes) - 1
        if tag == "equal" and not (inside and removed.isspace()):
            segments.append(Segment(SAME, removed))
        else:
            # A lone space between two changes reads better as part of one change.
            segments += [Segment(REMOVED, removed), Segment(ADDED, added)]
    return segments


def _merged(segments: list[Segment]) -> TextDiff:
    """Adjacent changes as one removal then one addition; adjacent unchanged text joined."""
    result: list[Segment] = []
    removed, added = "", ""
    for segment in segments:
        if segment.kind == REMOVED:
            removed += segment.text
            continue
        if segment.kind == ADDED:
            added += segment.text
            continue
        result += _change(removed, added)
        removed, added = "", ""
        if segment.kind == SAME and result and result[-1].kind == SAME:
            result[-1] = Segment(SAME, result[-1].text + segment.text)
        elif segment.text or segment.kind == SKIPPED:
            result.append(segment)
    result += _change(removed, added)
    return tuple(result)


def _change(removed: str, added: str) -> list[Segment]:
    return [Segment(kind, text) for kind, text in ((REMOVED, removed), (ADDED, added)) if text]


def question_changes(before: ParsedQuestion, after: ParsedQuestion) -> QuestionChanges:
    """What an author changed in a question, field by field and option by option."""
    return QuestionChanges(
        text=diff_text(before.text, after.text),
        explanation=diff_text(before.explanation, after.explanation),
        kind=(before.kind, after.kind) if before.kind != after.kind else None,
        published=(
            (before.published, after.published) if before.published != after.published else None
        ),
        options=option_changes(before.options, after.options),
    )


def option_changes(
    before: list[ParsedOption], after: list[ParsedOption]
) -> tuple[OptionChange, ...]:
    pairs = _matched(before, after)
    moved = _moved(pairs)
    changes = []
    for new_index, option in enumerate(after):
        old_index = pairs.get(new_index)
        if old_index is None:
            changes.append(
                OptionChange(ADDED, new_index + 1, option.text, verdict=("", option.verdict))
            )
            continue
        change = _option_change(before[old_index], option, old_index, new_index, new_index in moved)
        if change is not None:
            changes.append(change)
    kept = set(pairs.values())
    changes += [
        OptionChange(REMOVED, old_index + 1, option.text, verdict=(option.verdict, ""))
        for old_index, option in enumerate(before)
        if old_index not in kept
    ]
    return tuple(changes)


def _option_change(
    old: ParsedOption, new: ParsedOption, old_index: int, new_index: int, moved: bool
) -> OptionChange | None:
    verdict = (old.verdict, new.verdict) if old.verdict != new.verdict else None
    text, feedback = diff_text(old.text, new.text), diff_text(old.feedback, new.feedback)
    if not (verdict or text or feedback or moved):
        return None
    return OptionChange(
        "changed",
        new_index + 1,
        new.text,
        before=old_index + 1,
        text_diff=text,
        verdict=verdict,
        feedback=feedback,
        moved=moved,
    )


def _matched(before: list[ParsedOption], after: list[ParsedOption]) -> dict[int, int]:
    """New index -> old index: same text first, then an edited text in the same place."""
    pairs: dict[int, int] = {}
    free = list(range(len(before)))
    for new_index, option in enumerate(after):
        for old_index in free:
            if before[old_index].text == option.text:
                pairs[new_index] = old_index
                free.remove(old_index)
                break
    for new_index in range(len(after)):
        if new_index not in pairs and new_index in free:
            pairs[new_index] = new_index
            free.remove(new_index)
    return pairs


def _moved(pairs: dict[int, int]) -> set[int]:
    """New indexes of the options that changed places against the others: those outside a
    longest run whose old order the new order keeps."""
    order = sorted(pairs)
    olds = [pairs[new_index] for new_index in order]
    # Longest increasing subsequence, quadratic: a question has at most a few dozen options.
    best = [1] * len(olds)
    previous = [-1] * len(olds)
    for i in range(len(olds)):
        for j in range(i):
            if olds[j] < olds[i] and best[j] + 1 > best[i]:
                best[i], previous[i] = best[j] + 1, j
    kept = set()
    i = max(range(len(olds)), key=best.__getitem__, default=-1)
    while i >= 0:
        kept.add(order[i])
        i = previous[i]
    return set(order) - kept
