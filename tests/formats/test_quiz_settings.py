"""The quiz settings line: what both formats read from it, write, and refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzes.formats import (
    Code,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    QuizSettings,
    parse,
    write,
)

FORMATS = ["seed", "tasklist"]
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "dl-nlp-cv.ru.md"

QUESTION = {
    "seed": "## Задание 1\n\n**2+2?**\n\n* ✅ 4\n* ❌ 5\n",
    "tasklist": "### Q1. 2+2?\n\n- [x] 4\n- [ ] 5\n",
}


def file_with(fmt: str, settings_line: str | None, description: str = "Описание") -> str:
    head = "# Арифметика\n\n"
    if settings_line is not None:
        head += settings_line + "\n\n"
    return f"{head}{description}\n\n{QUESTION[fmt]}"


def parsed(fmt: str, text: str):
    result = parse(text, format=fmt)
    assert result.ok, result.errors
    return result


def quiz_with(settings: QuizSettings | None) -> ParsedQuiz:
    return ParsedQuiz(
        title="Арифметика",
        description="Описание",
        questions=[
            ParsedQuestion(
                text="2+2?",
                kind="single",
                options=[ParsedOption("4", "correct"), ParsedOption("5", "incorrect")],
                number=1,
            )
        ],
        settings=settings,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_without_a_settings_line_states_no_settings(fmt):
    result = parsed(fmt, file_with(fmt, None))
    assert result.quiz.settings is None
    assert result.warnings == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_setting_is_read_from_the_line_after_the_title(fmt):
    line = (
        "<!-- quizsite: access=invite review-after-attempt=score "
        "review-after-close=correctness time-limit=45m -->"
    )
    result = parsed(fmt, file_with(fmt, line))
    assert result.quiz.settings == QuizSettings(
        practice=False,
        access="invite",
        review_after_attempt="score",
        review_after_close="correctness",
        time_limit=45 * 60,
    )
    assert result.quiz.description == "Описание"
    assert result.warnings == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_practice_alone_says_nothing_about_the_other_settings(fmt):
    result = parsed(fmt, file_with(fmt, "<!-- quizsite: practice -->"))
    assert result.quiz.settings == QuizSettings(practice=True)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("value", "seconds"), [("none", 0), ("90s", 90), ("45m", 2700), ("2h", 7200), ("0m", 0)]
)
def test_time_limits_in_seconds_minutes_or_hours(fmt, value, seconds):
    result = parsed(fmt, file_with(fmt, f"<!-- quizsite: time-limit={value} -->"))
    assert result.quiz.settings.time_limit == seconds


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("token", "code", "params"),
    [
        ("colour=red", Code.SETTING_UNKNOWN, {"token": "colour=red"}),
        ("draft", Code.SETTING_UNKNOWN, {"token": "draft"}),
        (
            "access=everyone",
            Code.SETTING_VALUE,
            {"key": "access", "value": "everyone", "allowed": "public, invite"},
        ),
        (
            "review-after-close=all",
            Code.SETTING_VALUE,
            {
                "key": "review-after-close",
                "value": "all",
                "allowed": "thanks, score, correctness, full",
            },
        ),
        ("time-limit=8d", Code.SETTING_TIME_LIMIT, {"value": "8d"}),
        ("time-limit=169h", Code.SETTING_TIME_LIMIT, {"value": "169h"}),  # over a week
        # A unicode digit is no number.
        ("time-limit=²m", Code.SETTING_TIME_LIMIT, {"value": "²m"}),
        (
            "time-limit=99999999999999999999h",
            Code.SETTING_TIME_LIMIT,
            {"value": "99999999999999999999h"},
        ),
    ],
)
def test_a_bad_token_is_reported_with_its_line_and_ignored(fmt, token, code, params):
    # The good setting next to it still counts.
    good = "time-limit=1h" if token.startswith("access") else "access=public"
    result = parsed(fmt, file_with(fmt, f"<!-- quizsite: {token} {good} -->"))
    expected = QuizSettings(time_limit=3600) if "time" in good else QuizSettings(access="public")
    assert result.quiz.settings == expected
    assert [(p.line, p.code, p.params) for p in result.warnings] == [(3, code, params)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_setting_given_twice_is_ignored(fmt):
    result = parsed(fmt, file_with(fmt, "<!-- quizsite: access=public, access=invite -->"))
    assert result.quiz.settings == QuizSettings()
    assert [(w.code, w.params) for w in result.warnings] == [
        (Code.SETTING_REPEATED, {"key": "access"})
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_practice_quiz_cannot_be_invite_only_or_hide_its_review(fmt):
    line = "<!-- quizsite: practice access=invite review-after-attempt=thanks time-limit=1h -->"
    result = parsed(fmt, file_with(fmt, line))
    assert result.quiz.settings == QuizSettings(practice=True, time_limit=3600)
    assert sorted(
        (w.code, w.params["key"], w.params["value"], w.params["required"]) for w in result.warnings
    ) == [
        (Code.SETTING_PRACTICE, "access", "invite", "public"),
        (Code.SETTING_PRACTICE, "review-after-attempt", "thanks", "full"),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_the_first_settings_line_counts(fmt):
    text = file_with(fmt, "<!-- quizsite: practice -->\n\n<!-- quizsite: access=invite -->")
    result = parsed(fmt, text)
    assert result.quiz.settings == QuizSettings(practice=True)
    assert [(w.line, w.code) for w in result.warnings] == [(5, Code.SECOND_SETTINGS_LINE)]
    assert result.quiz.description == "Описание"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_settings_line_inside_code_is_description(fmt):
    code = "```\n<!-- quizsite: practice -->\n```"
    result = parsed(fmt, file_with(fmt, None, description=code))
    assert result.quiz.settings is None
    assert result.quiz.description == code


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_writer_puts_the_settings_line_right_after_the_title(fmt):
    settings = QuizSettings(
        access="public", review_after_attempt="thanks", review_after_close="full", time_limit=90
    )
    written = write(quiz_with(settings), fmt)
    assert written.startswith(
        "# Арифметика\n\n<!-- quizsite: access=public review-after-attempt=thanks "
        "review-after-close=full time-limit=90s -->\n\nОписание\n"
    )
    practice = write(quiz_with(QuizSettings(practice=True, time_limit=0)), fmt)
    assert practice.startswith("# Арифметика\n\n<!-- quizsite: practice time-limit=none -->\n")
    assert parse(practice, format=fmt).quiz.settings == QuizSettings(practice=True, time_limit=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_quiz_without_settings_is_written_without_the_line(fmt):
    assert "quizsite" not in write(quiz_with(None), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_description_line_that_looks_like_settings_survives_escaped(fmt):
    quiz = quiz_with(QuizSettings(practice=True))
    quiz.description = "<!-- quizsite: access=invite -->"
    written = write(quiz, fmt)
    assert "\n\\<!-- quizsite: access=invite -->\n" in written
    result = parse(written, format=fmt)
    assert result.quiz.settings == QuizSettings(practice=True)
    assert result.quiz.description == quiz.description


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (QuizSettings(practice=True, access="invite"), "a practice quiz has access=public"),
        (QuizSettings(review_after_close="maybe"), "unknown value 'maybe'"),
        (QuizSettings(time_limit=-1), "the time limit must be between"),
        (QuizSettings(time_limit=8 * 24 * 3600), "the time limit must be between"),
    ],
)
def test_the_writer_refuses_settings_no_file_can_state(fmt, settings, message):
    with pytest.raises(ValueError, match=message):
        write(quiz_with(settings), fmt)


def test_the_shipped_fixture_declares_itself_a_practice_quiz():
    result = parse(FIXTURE.read_bytes())
    assert result.ok
    assert not [w for w in result.warnings if "setting" in w.code]
    assert result.quiz.settings == QuizSettings(practice=True)
