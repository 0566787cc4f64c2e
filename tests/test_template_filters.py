"""Template filters that format numbers and durations for people."""

from datetime import timedelta

import pytest

from quizzes.templatetags.quizzes_tags import clock


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (0, "0:00"),
        (65, "1:05"),
        (3723, "1:02:03"),
        (timedelta(minutes=2, seconds=3), "2:03"),
        (timedelta(hours=1, seconds=4), "1:00:04"),
        (-5, "0:00"),
    ],
)
def test_clock_shows_durations_and_countdowns_the_same_way(value, shown):
    assert clock(value) == shown
