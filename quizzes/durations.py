"""Time limits as authors type them: minutes unless a unit says otherwise (no Django).

"2" is two minutes, and so are "2 мин", "2m" and "2 min"; "2.5" or "2,5" is two and a
half. Seconds, for a quiz that needs them, take a unit: "90s", "90 с", "90 сек"; hours
too: "1h", "1 ч". Empty or zero means no limit. Russian and English units are both read
whatever the page's language, so a value shown in one is read back in the other.
"""

from __future__ import annotations

import re
from decimal import Decimal

from quizzes.formats.model import MAX_TIME_LIMIT

SECOND, MINUTE, HOUR = 1, 60, 3600

# fmt: off
UNITS = {
    **dict.fromkeys(
        ["s", "sec", "secs", "second", "seconds",
         "с", "сек", "секунда", "секунды", "секунд", "секунду"],
        SECOND,
    ),
    **dict.fromkeys(
        ["", "m", "min", "mins", "minute", "minutes",
         "м", "мин", "минута", "минуты", "минут", "минуту"],
        MINUTE,
    ),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours", "ч", "час", "часа", "часов"], HOUR),
}
# fmt: on
_TYPED = re.compile(r"(?P<number>\d{1,9}(?:[.,]\d{1,6})?)\s*(?P<unit>[^\W\d_]*)\.?")


class TimeLimitError(ValueError):
    """Why a typed time limit was refused: `code` is "format", "fraction" or "too_long"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_time_limit(typed: str) -> int | None:
    """The typed limit in whole seconds; None for no limit. Raises TimeLimitError."""
    typed = typed.strip().casefold()
    if not typed:
        return None
    match = _TYPED.fullmatch(typed)
    if match is None or match.group("unit") not in UNITS:
        raise TimeLimitError("format")
    seconds = Decimal(match.group("number").replace(",", ".")) * UNITS[match.group("unit")]
    if seconds != seconds.to_integral_value():
        raise TimeLimitError("fraction")
    if seconds > MAX_TIME_LIMIT:
        raise TimeLimitError("too_long")
    return int(seconds) or None


def shown_time_limit(seconds: int) -> tuple[int, int]:
    """The limit as authors read it: (number, MINUTE) in whole minutes, else (number, SECOND)."""
    return (seconds // MINUTE, MINUTE) if seconds % MINUTE == 0 else (seconds, SECOND)
