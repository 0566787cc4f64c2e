"""Markup built once with named holes, then filled per request by a join.

The attempt page is the same for every request of a revision apart from a few values (the
CSRF token, the attempt's tokens, the marks, the time left). It is rendered once with a
marker in each of those places and split at the markers into literal chunks and slots;
serving it is then a join of the chunks with each slot's value, with no template engine.

Markers carry a random nonce drawn for each build, so no author text can forge one, and a
build checks that every marker it handed out came back (a value used twice in a template
comes back twice: both places are the slot).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

_OPEN, _CLOSE = "\ue000", "\ue001"


class MarkersLost(ValueError):
    """The rendered text lost a marker, or has one never handed out (a template bug)."""


class Holes:
    """Hands out markers while markup is built; `split` then turns the text into a Skeleton."""

    def __init__(self) -> None:
        self._nonce = secrets.token_hex(8)
        self._slots: list[Hashable] = []

    def __call__(self, slot: Hashable) -> str:
        """A marker for `slot` (any hashable name; the same slot may be asked for again)."""
        self._slots.append(slot)
        return f"{_OPEN}{self._nonce}:{len(self._slots) - 1}{_CLOSE}"

    def split(self, text: str) -> Skeleton:
        pattern = re.compile(f"{_OPEN}{self._nonce}:([0-9]+){_CLOSE}")
        pieces = pattern.split(text)
        literals = tuple(pieces[0::2])
        numbers = [int(number) for number in pieces[1::2]]
        if set(numbers) != set(range(len(self._slots))):
            raise MarkersLost(f"expected markers 0..{len(self._slots) - 1}, found {numbers}")
        return Skeleton(literals=literals, slots=tuple(self._slots[n] for n in numbers))


@dataclass(frozen=True, slots=True)
class Skeleton:
    """Literal chunks with a slot between each two: literals[0] slots[0] literals[1] …"""

    literals: tuple[str, ...]
    slots: tuple[Hashable, ...]

    def fill(self, values: Mapping[Hashable, str] | Callable[[Hashable], str]) -> str:
        """The text with every slot replaced by its value (the values are inserted as
        they are: escaping them is the caller's job)."""
        value = values.__getitem__ if isinstance(values, Mapping) else values
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            out.append(value(slot))
            out.append(literal)
        return "".join(out)

    def format_string(self, positions: Mapping[Hashable, int]) -> str:
        """The skeleton as a `str.format` string: literal braces doubled, each slot as
        `{n}` by `positions`, so a fill is one call in C."""
        out = [_brace(self.literals[0])]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            out.append(f"{{{positions[slot]}}}")
            out.append(_brace(literal))
        return "".join(out)


def _brace(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")
