"""Reading a page's post without a form: every forgery refused with its reason, no database."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from quizzes import grading
from quizzes.answers import (
    MAX_SAVE_SEQ,
    AnswerKey,
    Problem,
    Refused,
    answer_key,
    clean_selections,
    read_answers,
)
from quizzes.forms import ANSWER_PROBLEMS
from quizzes.integrity import MAX_SECONDS_PER_REPORT, MAX_SIGNAL_EVENTS, Signals
from quizzes.models import MAX_SAVE_SEQ as MODEL_MAX_SAVE_SEQ
from quizzes.opaque import Tokens

SINGLE, MULTIPLE, OTHER = 10, 20, 30  # question ids; OTHER is in another revision


def question(question_id: int, kind: str, option_ids: list[int], verdicts: list[str]) -> dict:
    return {
        "id": question_id,
        "kind": kind,
        "points": "2",
        "partial_fraction": "0.5",
        "strategy": "partial",
        "options": [
            {"id": option_id, "verdict": verdict}
            for option_id, verdict in zip(option_ids, verdicts, strict=True)
        ],
    }


CONTENT = {
    "questions": [
        question(SINGLE, "single", [11, 12, 13], ["correct", "incorrect", "partial"]),
        question(MULTIPLE, "multiple", [21, 22, 23], ["correct", "correct", "incorrect"]),
    ]
}
KEY = answer_key(CONTENT)  # type: ignore[arg-type]
TOKENS = Tokens("ab" * 32)
ANOTHER_ATTEMPT = Tokens("cd" * 32)


def q(question_id: int, tokens: Tokens = TOKENS) -> str:
    return f"q_{tokens.question(question_id)}"


def t(question_id: int) -> str:
    return f"t_{TOKENS.question(question_id)}"


def o(option_id: int, tokens: Tokens = TOKENS) -> str:
    return tokens.option(option_id)


def post(pairs: list[tuple[str, str]], *, key: AnswerKey = KEY, default_all=True, timed=True):
    data = QueryDict(mutable=True)
    for name, value in pairs:
        data.appendlist(name, value)
    return read_answers(data.lists(), key=key, tokens=TOKENS, default_all=default_all, timed=timed)


def refused(pairs, **kwargs) -> Problem:
    with pytest.raises(Refused) as caught:
        post(pairs, **kwargs)
    return caught.value.problem


# --- what is accepted ------------------------------------------------------------------------


def test_a_whole_page_post_answers_every_question_and_clears_the_unanswered():
    answers = post([(q(SINGLE), o(12)), ("seq", "5")])
    assert answers.selections == {SINGLE: [12], MULTIPLE: []}
    assert answers.seq == 5
    assert answers.signals == Signals()


def test_several_options_of_a_multiple_choice_question_come_back_sorted():
    answers = post([(q(MULTIPLE), o(23)), (q(MULTIPLE), o(21))])
    assert answers.selections[MULTIPLE] == [21, 23]


def test_a_background_save_without_shown_touches_only_the_questions_it_answers():
    answers = post([(q(MULTIPLE), o(22))], default_all=False)
    assert answers.selections == {MULTIPLE: [22]}
    assert post([("seq", "1")], default_all=False).selections == {}


def test_shown_questions_are_the_page_and_an_unticked_one_is_cleared():
    shown = [("shown", TOKENS.question(SINGLE)), ("shown", TOKENS.question(MULTIPLE))]
    answers = post([*shown, (q(SINGLE), o(11))], default_all=False)
    assert answers.selections == {SINGLE: [11], MULTIPLE: []}


def test_an_empty_radio_value_is_no_answer():
    assert post([(q(SINGLE), "")]).selections[SINGLE] == []


def test_signals_and_seconds_per_question_are_read():
    answers = post(
        [
            ("focus_lost", "2"),
            ("hidden", "1"),
            ("copies", "3"),
            ("pastes", ""),
            (t(SINGLE), "40"),
            (t(MULTIPLE), "0"),
        ]
    )
    assert answers.signals == Signals(focus_lost=2, hidden=1, copies=3, time_spent={SINGLE: 40})


def test_seconds_are_ignored_where_not_asked_for_and_for_questions_of_no_attempt():
    assert post([(t(SINGLE), "40")], timed=False).signals.time_spent == {}
    other = f"t_{TOKENS.question(OTHER)}"
    assert post([(other, "40"), ("t_zzz", "1")]).signals.time_spent == {}


def test_the_last_value_of_a_repeated_number_counts_as_a_form_reads_it():
    assert post([("seq", "3"), ("seq", "4")]).seq == 4


def test_limits_are_inclusive():
    answers = post(
        [("seq", str(MAX_SAVE_SEQ)), ("pastes", str(MAX_SIGNAL_EVENTS)),
         (t(SINGLE), str(MAX_SECONDS_PER_REPORT))]
    )  # fmt: skip
    assert answers.seq == MAX_SAVE_SEQ and answers.signals.pastes == MAX_SIGNAL_EVENTS
    assert answers.signals.time_spent == {SINGLE: MAX_SECONDS_PER_REPORT}
    assert MAX_SAVE_SEQ == MODEL_MAX_SAVE_SEQ


# --- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["q_", "q_abc", "q_-1", "q_" + "9" * 40, f"q_{SINGLE}"])
def test_a_field_that_names_no_question_of_the_attempt_is_refused(name):
    assert refused([(name, o(11))]) == Problem.QUESTION_NOT_ON_PAGE


def test_a_question_of_another_attempt_or_revision_is_refused():
    assert refused([(q(SINGLE, ANOTHER_ATTEMPT), o(11))]) == Problem.QUESTION_NOT_ON_PAGE
    assert refused([(q(OTHER), o(11))]) == Problem.QUESTION_NOT_ON_PAGE


def test_a_question_that_was_not_on_the_page_is_refused():
    pairs = [("shown", TOKENS.question(SINGLE)), (q(MULTIPLE), o(21))]
    assert refused(pairs) == Problem.QUESTION_NOT_ON_PAGE
    assert refused(pairs, default_all=False) == Problem.QUESTION_NOT_ON_PAGE


@pytest.mark.parametrize("token", ["zzz", str(SINGLE), "", ANOTHER_ATTEMPT.question(SINGLE)])
def test_a_shown_question_that_is_not_the_attempts_is_refused(token):
    pairs = [("shown", TOKENS.question(SINGLE)), ("shown", token)]
    assert refused(pairs) == Problem.UNKNOWN_SHOWN


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (SINGLE, 21),  # an option of the other question
        (MULTIPLE, 11),
        (SINGLE, 99),  # of no question here
        (MULTIPLE, 99),
    ],
)
def test_an_option_of_another_question_is_refused(field, value):
    assert refused([(q(field), o(value))]) == Problem.UNKNOWN_OPTION


@pytest.mark.parametrize(
    ("field", "value"),
    # An empty radio value is no answer (above); an empty checkbox value names no option.
    [(field, value) for field in (SINGLE, MULTIPLE) for value in ("abc", "1", "11", "１", " ")]
    + [(MULTIPLE, "")],
)
def test_a_value_that_is_no_option_token_is_refused(field, value):
    assert refused([(q(field), value)]) == Problem.UNKNOWN_OPTION


@pytest.mark.parametrize("field, option", [(SINGLE, 11), (MULTIPLE, 21)])
def test_an_option_of_another_attempt_is_refused(field, option):
    assert refused([(q(field), o(option, ANOTHER_ATTEMPT))]) == Problem.UNKNOWN_OPTION


@pytest.mark.parametrize("field, option", [(SINGLE, 11), (MULTIPLE, 21)])
def test_a_repeated_option_is_refused(field, option):
    assert refused([(q(field), o(option)), (q(field), o(option))]) == Problem.REPEATED_OPTION


def test_several_answers_to_a_single_choice_question_are_refused():
    assert refused([(q(SINGLE), o(11)), (q(SINGLE), o(12))]) == Problem.SEVERAL_FOR_SINGLE


@pytest.mark.parametrize(
    ("name", "limit"),
    [("seq", MAX_SAVE_SEQ), ("focus_lost", MAX_SIGNAL_EVENTS), ("hidden", MAX_SIGNAL_EVENTS),
     ("copies", MAX_SIGNAL_EVENTS), ("pastes", MAX_SIGNAL_EVENTS)],
)  # fmt: skip
@pytest.mark.parametrize("value", ["x", "1.5", "1e3", "0x10", "²", "١", " ", "9" * 40, "over"])
def test_numbers_that_are_no_integers_or_out_of_range_are_refused(name, limit, value):
    value = str(limit + 1) if value == "over" else value
    assert refused([(name, value)]) == Problem.BAD_NUMBER


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_save_number_starts_at_one_and_counters_at_zero(value):
    assert refused([("seq", value)]) == Problem.BAD_NUMBER
    if value == "-1":
        assert refused([("copies", value)]) == Problem.BAD_NUMBER


@pytest.mark.parametrize("value", ["-1", str(MAX_SECONDS_PER_REPORT + 1), "x"])
def test_seconds_out_of_range_are_refused_when_read(value):
    assert refused([(t(SINGLE), value)]) == Problem.BAD_NUMBER
    assert post([(t(SINGLE), value)], timed=False).signals.time_spent == {}


def test_every_problem_has_words_for_the_page():
    assert set(ANSWER_PROBLEMS) == set(Problem)


# --- ids from services ------------------------------------------------------------------------


def test_clean_selections_refuses_what_the_page_reader_refuses():
    assert clean_selections(KEY, {MULTIPLE: [23, 21], SINGLE: []}) == {
        MULTIPLE: [21, 23],
        SINGLE: [],
    }
    cases = {
        Problem.QUESTION_NOT_ON_PAGE: {OTHER: [11]},
        Problem.UNKNOWN_OPTION: {SINGLE: [21]},
        Problem.REPEATED_OPTION: {MULTIPLE: [21, 21]},
        Problem.SEVERAL_FOR_SINGLE: {SINGLE: [11, 12]},
    }
    for problem, selections in cases.items():
        with pytest.raises(Refused) as caught:
            clean_selections(KEY, selections)
        assert caught.value.problem == problem


def test_the_answer_key_grades_as_the_revision_does():
    assert KEY.single == {SINGLE} and KEY.options[MULTIPLE] == {21, 22, 23}
    assert KEY.max_score == Decimal(4)
    result = grading.grade_attempt(KEY.gradable, {SINGLE: [13], MULTIPLE: [21]})
    assert [g.points for g in result.questions] == [Decimal(1), Decimal(1)]
