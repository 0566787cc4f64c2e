"""What a candidate's page posts, checked against the attempt's revision without a form.

A save or submit names questions and options by the attempt's tokens (quizzes/opaque.py):
`q_<question>` with option tokens as values, `shown` for the questions the page showed,
`t_<question>` for seconds spent, and a few counters. `read_answers` maps them back to ids
and refuses anything a page of this attempt could not have sent, with a `Problem` code the
web layer words. `AnswerKey` is the part of a revision that checking and grading need,
built once per revision (selectors/answering.py keeps it per process).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from quizzes import grading
from quizzes.content import RevisionContent, gradable_questions
from quizzes.integrity import MAX_SECONDS_PER_REPORT, MAX_SIGNAL_EVENTS, Signals
from quizzes.opaque import Tokens, field_name, time_field_name

# The highest save number a page may send: browsers count exactly only up to 2**53 - 1
# (models.py, next to Attempt.save_seq, says why that matters).
MAX_SAVE_SEQ = 2**53 - 1
COUNTERS = ("focus_lost", "hidden", "copies", "pastes")
# An optional sign and ASCII digits ("²" and "١" are digits to int(), not to a page).
_INTEGER = re.compile(r"\s*[+-]?[0-9]{1,20}\s*")


class Problem(StrEnum):
    """Why a post was refused; forms.ANSWER_PROBLEMS words each one."""

    QUESTION_NOT_ON_PAGE = "question_not_on_page"
    UNKNOWN_SHOWN = "unknown_shown"
    UNKNOWN_OPTION = "unknown_option"
    REPEATED_OPTION = "repeated_option"
    SEVERAL_FOR_SINGLE = "several_for_single"
    BAD_NUMBER = "bad_number"


class Refused(ValueError):
    """A forged or malformed post: nothing of it may be stored."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """A revision as saves and submits need it: options per question, kinds, the grader's view."""

    options: Mapping[int, frozenset[int]]
    single: frozenset[int]
    gradable: tuple[grading.GradableQuestion, ...]
    max_score: Decimal


def answer_key(content: RevisionContent) -> AnswerKey:
    questions = content["questions"]
    gradable = tuple(gradable_questions(content))
    return AnswerKey(
        options={q["id"]: frozenset(o["id"] for o in q["options"]) for q in questions},
        single=frozenset(q["id"] for q in questions if q["kind"] == grading.Kind.SINGLE),
        gradable=gradable,
        max_score=sum((q.points for q in gradable), Decimal(0)),
    )


@dataclass(frozen=True, slots=True)
class PostedAnswers:
    # Option ids per question id for every question the page showed (empty: cleared).
    selections: dict[int, list[int]]
    seq: int | None
    signals: Signals = field(default_factory=Signals)


def clean_selections(
    key: AnswerKey, selections: Mapping[int, Iterable[int]]
) -> dict[int, list[int]]:
    """Check question and option ids against the revision; the options sorted."""
    clean: dict[int, list[int]] = {}
    for question_id, option_ids in selections.items():
        allowed = key.options.get(question_id)
        if allowed is None:
            raise Refused(Problem.QUESTION_NOT_ON_PAGE, f"question {question_id}")
        given = list(option_ids)
        chosen = set(given)
        if len(chosen) != len(given):
            raise Refused(Problem.REPEATED_OPTION, f"question {question_id}")
        if not chosen <= allowed:
            raise Refused(Problem.UNKNOWN_OPTION, f"question {question_id}")
        if question_id in key.single and len(chosen) > 1:
            raise Refused(Problem.SEVERAL_FOR_SINGLE, f"question {question_id}")
        clean[question_id] = sorted(chosen)
    return clean


def read_answers(
    posted: Iterable[tuple[str, list[str]]],
    *,
    key: AnswerKey,
    tokens: Tokens,
    default_all: bool,
    timed: bool,
) -> PostedAnswers:
    """The answers, save number and signals a page posted (a QueryDict's `lists()`).

    Without `shown`, a page showed every question (`default_all`, a whole-page form) or
    only those it answers (a background save touches nothing else). Seconds per question
    (`t_` fields) are read only when `timed`; one of a question not in the attempt is
    ignored, as a form ignores fields it does not have. Raises Refused.
    """
    data = dict(posted)
    by_token = {tokens.question(question_id): question_id for question_id in key.options}
    shown = _shown(data, by_token, default_all)
    chosen: dict[int, list[int]] = {question_id: [] for question_id in shown}
    for name, values in data.items():
        if name.startswith("q_"):
            question_id = by_token.get(name[2:])
            if question_id is None or question_id not in shown:
                raise Refused(Problem.QUESTION_NOT_ON_PAGE, name)
            chosen[question_id] = _options(key, tokens, question_id, values)
    seq = _number(data, "seq", 1, MAX_SAVE_SEQ)
    counts = {name: _number(data, name, 0, MAX_SIGNAL_EVENTS) or 0 for name in COUNTERS}
    seconds: dict[int, int] = {}
    if timed:
        for token, question_id in by_token.items():
            value = _number(data, time_field_name(token), 0, MAX_SECONDS_PER_REPORT)
            if value:
                seconds[question_id] = value
    return PostedAnswers(selections=chosen, seq=seq, signals=Signals(**counts, time_spent=seconds))


def _shown(data: dict[str, list[str]], by_token: dict[str, int], default_all: bool) -> set[int]:
    tokens = data.get("shown")
    if not tokens:
        if default_all:
            return set(by_token.values())
        return {question_id for token, question_id in by_token.items() if field_name(token) in data}
    unknown = [token for token in tokens if token not in by_token]
    if unknown:
        raise Refused(Problem.UNKNOWN_SHOWN, unknown[0][:40])
    return {by_token[token] for token in tokens}


def _options(key: AnswerKey, tokens: Tokens, question_id: int, values: list[str]) -> list[int]:
    if len(set(values)) != len(values):
        raise Refused(Problem.REPEATED_OPTION, f"question {question_id}")
    single = question_id in key.single
    if single:
        if len(values) > 1:
            raise Refused(Problem.SEVERAL_FOR_SINGLE, f"question {question_id}")
        # An empty radio value is no answer, as Django's ChoiceField reads it.
        values = [value for value in values if value != ""]
    by_token = {tokens.option(option_id): option_id for option_id in key.options[question_id]}
    try:
        return sorted(by_token[value] for value in values)
    except KeyError:
        raise Refused(Problem.UNKNOWN_OPTION, f"question {question_id}") from None


def _number(data: dict[str, list[str]], name: str, low: int, high: int) -> int | None:
    """The field's last value as an integer in [low, high]; None when absent or empty."""
    values = data.get(name)
    if not values or values[-1] == "":
        return None
    text = values[-1]
    if not _INTEGER.fullmatch(text) or not low <= (value := int(text)) <= high:
        raise Refused(Problem.BAD_NUMBER, name)
    return value
