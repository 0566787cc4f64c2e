"""The quiz settings line both formats share: ``<!-- quizsite: practice time-limit=30m -->``.

Tokens (lower case, in any order, separated by spaces or commas):

* ``practice`` - a practice quiz (public, full review right away); absent: not one;
* ``access=public`` or ``access=invite``;
* ``review-after-attempt=`` and ``review-after-close=`` one of ``thanks``, ``score``,
  ``correctness``, ``full``;
* ``time-limit=`` ``none``, or a whole number of seconds, minutes or hours: ``90s``,
  ``45m``, ``2h`` (at most a week).

An unknown token, a value out of range or a setting given twice is reported as a warning
and ignored, like a setting a practice quiz cannot have.
"""

from __future__ import annotations

import re

from .model import ACCESS, FULL, MAX_TIME_LIMIT, PUBLIC, REVIEWS, QuizSettings
from .problems import Code, Problem, problem

PRACTICE = "practice"
# token key -> (QuizSettings field, allowed values, the value a practice quiz must have)
_CHOICES = {
    "access": ("access", ACCESS, PUBLIC),
    "review-after-attempt": ("review_after_attempt", REVIEWS, FULL),
    "review-after-close": ("review_after_close", REVIEWS, FULL),
}
_TIME_LIMIT = "time-limit"
_DURATION_RE = re.compile(r"^(?P<number>[0-9]{1,9})(?P<unit>[smh])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def _time_limit(value: str) -> int | None:
    """Seconds (0 for "none"), or None when the value is not a duration within range."""
    if value == "none":
        return 0
    m = _DURATION_RE.match(value)
    if not m:
        return None
    seconds = int(m.group("number")) * _UNIT_SECONDS[m.group("unit")]
    return seconds if seconds <= MAX_TIME_LIMIT else None


def parse_settings(tokens: set[str]) -> tuple[QuizSettings, list[Problem]]:
    """The settings a line's tokens state, and warnings (without a line) about the tokens
    that were ignored."""
    settings = QuizSettings(practice=PRACTICE in tokens)
    warnings: list[Problem] = []
    given: dict[str, list[str]] = {}
    for token in sorted(tokens - {PRACTICE}):
        key, sep, value = token.partition("=")
        if sep and (key in _CHOICES or key == _TIME_LIMIT):
            given.setdefault(key, []).append(value)
        else:
            warnings.append(problem(None, Code.SETTING_UNKNOWN, token=token))
    for key, values in given.items():
        if len(values) > 1:
            warnings.append(problem(None, Code.SETTING_REPEATED, key=key))
            continue
        value = values[0]
        if key == _TIME_LIMIT:
            seconds = _time_limit(value)
            if seconds is None:
                warnings.append(problem(None, Code.SETTING_TIME_LIMIT, value=value))
            settings.time_limit = seconds
            continue
        name, allowed, practice_value = _CHOICES[key]
        if value not in allowed:
            warnings.append(
                problem(None, Code.SETTING_VALUE, key=key, value=value, allowed=", ".join(allowed))
            )
        elif settings.practice and value != practice_value:
            warnings.append(
                problem(None, Code.SETTING_PRACTICE, key=key, value=value, required=practice_value)
            )
        else:
            setattr(settings, name, value)
    return settings, warnings


def settings_problem(settings: QuizSettings) -> str | None:
    """Why these settings cannot be written, or None."""
    for key, (name, allowed, practice_value) in _CHOICES.items():
        value = getattr(settings, name)
        if value is not None and value not in allowed:
            return f"{key}: unknown value {value!r}"
        if settings.practice and value not in (None, practice_value):
            return f"a practice quiz has {key}={practice_value}"
    limit = settings.time_limit
    if limit is not None and not 0 <= limit <= MAX_TIME_LIMIT:
        return f"the time limit must be between 0 and {MAX_TIME_LIMIT} seconds"
    return None


def _duration(seconds: int) -> str:
    if seconds == 0:
        return "none"
    for unit in ("h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


def settings_tokens(settings: QuizSettings) -> list[str]:
    """The tokens of the settings line that parses back to ``settings``."""
    tokens = [PRACTICE] if settings.practice else []
    for key, (name, _allowed, _practice_value) in _CHOICES.items():
        if getattr(settings, name) is not None:
            tokens.append(f"{key}={getattr(settings, name)}")
    if settings.time_limit is not None:
        tokens.append(f"{_TIME_LIMIT}={_duration(settings.time_limit)}")
    return tokens
