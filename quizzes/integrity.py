"""Integrity signals a candidate's browser reports: what they are and how large they may be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Upper bounds for one report: a browser reports every few seconds, so anything larger is
# forged or broken and must not distort the counters.
MAX_SIGNAL_EVENTS = 1000
MAX_SECONDS_PER_REPORT = 3600


@dataclass(frozen=True)
class Signals:
    """Signals observed by the page since its last report (deltas, not totals)."""

    focus_lost: int = 0
    hidden: int = 0
    copies: int = 0
    pastes: int = 0
    # {question id: seconds spent on it}
    time_spent: Mapping[int, int] = field(default_factory=dict)


def clamp(value: int, limit: int) -> int:
    return max(0, min(int(value), limit))
