"""Markdown line helpers shared by the format parsers and writers.

Escaping rule (both formats): a free-text line that would be read as
structure (an option bullet, a question heading, ...) is written with one
extra leading backslash; on reading, one backslash is removed from any line
that is backslashes followed by structure. Lines that already start with
backslashes therefore survive too (k -> k+1 -> k). Lines inside fenced code
blocks are never escaped because the parsers never look for structure there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence

FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
META_RE = re.compile(r"^<!--[ \t]*quizsite:(?P<tokens>[^>]*)-->[ \t]*$", re.IGNORECASE)

Predicate = Callable[[str], bool]


class FenceTracker:
    """Tracks fenced code blocks line by line (indentation-insensitive)."""

    def __init__(self) -> None:
        self.marker: str | None = None

    @property
    def inside(self) -> bool:
        return self.marker is not None

    def feed(self, line: str) -> bool:
        """Consume a line; True when it belongs to a code block (fences included)."""
        m = FENCE_RE.match(line)
        if self.marker is None:
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                self.marker = m.group(1)
                return True
            return False
        if (
            m
            and m.group(1)[0] == self.marker[0]
            and len(m.group(1)) >= len(self.marker)
            and not m.group(2).strip()
        ):
            self.marker = None
        return True


def is_fence_line(line: str) -> bool:
    return FENCE_RE.match(line) is not None


def fences_balanced(text: str) -> bool:
    tracker = FenceTracker()
    for line in text.split("\n"):
        tracker.feed(line)
    return not tracker.inside


def escape_text(text: str, structural: Predicate) -> str:
    tracker = FenceTracker()
    out = []
    for line in text.split("\n"):
        if not tracker.feed(line) and structural(line.lstrip("\\")):
            line = "\\" + line
        out.append(line)
    return "\n".join(out)


def unescape_lines(lines: Iterable[str], structural: Predicate) -> list[str]:
    tracker = FenceTracker()
    out = []
    for line in lines:
        if not tracker.feed(line) and line.startswith("\\") and structural(line.lstrip("\\")):
            line = line[1:]
        out.append(line)
    return out


def join_text(lines: Iterable[str], structural: Predicate) -> str:
    return "\n".join(unescape_lines(lines, structural)).strip()


def is_blank(line: str) -> bool:
    return not line.strip()


def dedent(line: str, width: int) -> str:
    if line.startswith("\t"):
        return line[1:]
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, width) :]


def is_indented(line: str, width: int) -> bool:
    return line.startswith(" " * width) or line.startswith("\t")


def meta_tokens(line: str) -> set[str] | None:
    m = META_RE.match(line.strip())
    if not m:
        return None
    return {t for t in re.split(r"[\s,]+", m.group("tokens").strip().lower()) if t}


def meta_line(tokens: list[str]) -> str:
    return f"<!-- quizsite: {' '.join(tokens)} -->"


def is_meta_line(line: str) -> bool:
    return META_RE.match(line) is not None


def first_nonblank(lines: list[str], start: int, end: int) -> int:
    while start < end and is_blank(lines[start]):
        start += 1
    return start


def outside_code(lines: Sequence[str], start: int = 0, end: int | None = None) -> Iterator[int]:
    """Indexes of the lines from ``start`` to ``end`` that are not part of a code block."""
    tracker = FenceTracker()
    for i in range(start, len(lines) if end is None else end):
        if not tracker.feed(lines[i]):
            yield i


def leading_meta(lines: list[str], start: int, end: int) -> tuple[set[str], int]:
    """The tokens of a ``<!-- quizsite: -->`` line at the first non-blank line from ``start``.

    Returns the tokens (empty without such a line) and the index of the line after it, or
    of that first non-blank line when it is something else.
    """
    i = first_nonblank(lines, start, end)
    if i < end and (tokens := meta_tokens(lines[i])) is not None:
        return tokens, i + 1
    return set(), i


def consume_item(
    lines: list[str],
    start: int,
    end: int,
    first: str,
    indent: int,
    *,
    stop_lazy: Predicate,
    unindented_fences: bool = False,
) -> tuple[list[str], int]:
    """Collect a list item's text: the bullet line's text plus continuation.

    Continuation is indented by at least ``indent`` (blank lines inside are
    kept when more indented text follows), lazy paragraph lines directly after
    a text line, and - when ``unindented_fences`` - a fenced block that
    follows the item after blank lines (the common task-list style).
    Returns the dedented lines and the index of the first unconsumed line.
    """
    out = [first]
    tracker = FenceTracker()
    tracker.feed(first)
    i = start
    while i < end:
        line = lines[i]
        if tracker.inside:
            out.append(dedent(line, indent))
            tracker.feed(out[-1])
            i += 1
            continue
        if is_blank(line):
            nxt = first_nonblank(lines, i, end)
            if nxt < end and is_indented(lines[nxt], indent):
                out.extend(dedent(x, indent) for x in lines[i:nxt])
                i = nxt
                continue
            if unindented_fences and nxt < end and is_fence_line(lines[nxt]):
                out.extend("" for _ in lines[i:nxt])
                i = nxt
                continue
            break
        if is_indented(line, indent):
            out.append(dedent(line, indent))
            tracker.feed(out[-1])
        elif unindented_fences and is_fence_line(line):
            out.append(line)
            tracker.feed(line)
        elif out[-1].strip() and not is_fence_line(line) and not stop_lazy(line):
            out.append(line)
        else:
            break
        i += 1
    return out, i
