"""Time limits as authors type them (quizzes.durations): minutes unless a unit says otherwise."""

import pytest

from quizzes.durations import MINUTE, SECOND, TimeLimitError, parse_time_limit, shown_time_limit


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("2", 120),
        (" 2 ", 120),
        ("2 мин", 120),
        ("2 мин.", 120),
        ("2m", 120),
        ("2 min", 120),
        ("2 Минуты", 120),
        ("2.5", 150),
        ("2,5", 150),
        ("90s", 90),
        ("90 с", 90),
        ("90 сек", 90),
        ("45 seconds", 45),
        ("1h", 3600),
        ("1,5 ч", 5400),
        ("10080", 7 * 24 * 3600),
    ],
)
def test_a_typed_time_limit_is_minutes_unless_a_unit_says_otherwise(typed, seconds):
    assert parse_time_limit(typed) == seconds


@pytest.mark.parametrize("typed", ["", "  ", "0", "0 мин", "0s"])
def test_empty_or_zero_is_no_limit(typed):
    assert parse_time_limit(typed) is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("две минуты", "format"),
        ("-2", "format"),
        ("2 km", "format"),
        ("1:30", "format"),
        ("2 мин 30 с", "format"),
        ("0.001", "fraction"),
        ("1.5 s", "fraction"),
        ("10081", "too_long"),
        ("8 days", "format"),
        ("169h", "too_long"),
    ],
)
def test_what_is_not_a_time_limit_is_refused_with_a_reason(typed, code):
    with pytest.raises(TimeLimitError) as error:
        parse_time_limit(typed)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(120, (2, MINUTE)), (3600, (60, MINUTE)), (90, (90, SECOND)), (150, (150, SECOND))],
)
def test_a_limit_is_shown_in_minutes_when_whole_else_in_seconds(seconds, shown):
    assert shown_time_limit(seconds) == shown
