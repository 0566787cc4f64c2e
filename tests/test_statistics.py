"""Item analysis: hand-computed cases, edge cases, and a brute-force cross-check."""

import math
import random
import statistics as py_statistics
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes import statistics as quiz_stats
from quizzes.statistics import OptionCount, OptionInfo, QuestionFlag, QuestionInfo
from tests import statistics_oracle
from tests.statistics_oracle import ItemResponse, quiz_statistics


def make_questions(*max_marks: float) -> list[QuestionInfo]:
    return [
        QuestionInfo(id=10 * i, position=i, text=f"Q{i}", max_mark=max_mark)
        for i, max_mark in enumerate(max_marks, start=1)
    ]


def make_attempts(questions, rows):
    """Rows of marks → attempts; a response is "answered" (selected=(1,)) when mark > 0."""
    return [
        [
            ItemResponse(q.id, mark, q.max_mark, (1,) if mark else ())
            for q, mark in zip(questions, row, strict=True)
        ]
        for row in rows
    ]


def test_hand_computed_four_attempts_three_questions():
    questions = make_questions(1, 1, 1)
    rows = [(1, 1, 1), (1, 0, 1), (0, 1, 0), (0, 0, 0)]
    result = quiz_statistics(make_attempts(questions, rows), questions)

    # Totals 3, 2, 1, 0: mean 1.5, median 1.5, var = (2.25+0.25+0.25+2.25)/3 = 5/3.
    assert result.attempts == 4
    assert result.max_total == 3
    assert result.mean == pytest.approx(1.5)
    assert result.median == pytest.approx(1.5)
    assert result.sd == pytest.approx(math.sqrt(5 / 3))
    # Item variances 1/3 each → alpha = 3/2 × (1 − 1 / (5/3)) = 3/2 × 2/5 = 0.6.
    assert result.cronbach_alpha == pytest.approx(0.6)
    assert result.totals == (0, 1, 2, 3)

    q1, q2, q3 = result.questions
    # Q1 marks 1,1,0,0 (mean .5, var 1/3); rest 2,1,1,0 (mean 1, var 2/3);
    # cov = (.5·1 + .5·0 − .5·0 − .5·−1)/3 = 1/3 → r = (1/3)/√(1/3 · 2/3) = 1/√2.
    # Sorted pairing (0,0,1,1)·(0,1,1,2) gives the same cov 1/3 → efficiency 1.
    assert q1.facility == pytest.approx(0.5)
    assert q1.mean_mark == pytest.approx(0.5)
    assert q1.sd == pytest.approx(math.sqrt(1 / 3))
    assert q1.discrimination_index == pytest.approx(1 / math.sqrt(2))
    assert q1.discriminative_efficiency == pytest.approx(1.0)
    assert q1.flags == ()
    # Q2 marks 1,0,1,0; rest 2,2,0,0 (var 4/3); cov = (.5 − .5 − .5 + .5)/3 = 0 → r = 0.
    # Sorted pairing (0,0,1,1)·(0,0,2,2): cov_max = (4 × .5 × 1)/3 = 2/3 → efficiency 0.
    assert q2.facility == pytest.approx(0.5)
    assert q2.discrimination_index == pytest.approx(0.0, abs=1e-12)
    assert q2.discriminative_efficiency == pytest.approx(0.0, abs=1e-12)
    assert q2.flags == (QuestionFlag.LOW_DISCRIMINATION,)
    # Q3 is Q1 again.
    assert q3.discrimination_index == pytest.approx(1 / math.sqrt(2))
    assert q3.discriminative_efficiency == pytest.approx(1.0)


def test_facility_and_sd_are_fractions_of_the_max_mark():
    questions = make_questions(2, 1)
    rows = [(2, 1), (1, 0), (0, 1), (1, 0)]
    q1, _ = quiz_statistics(make_attempts(questions, rows), questions).questions
    # Marks 2,1,0,1: mean 1 → facility 1/2; var = (1+0+1+0)/3 = 2/3 → sd √(2/3) / 2.
    assert q1.mean_mark == pytest.approx(1.0)
    assert q1.facility == pytest.approx(0.5)
    assert q1.sd == pytest.approx(math.sqrt(2 / 3) / 2)


def test_negative_discrimination_and_efficiency():
    # Q1 is answered right only by the weakest candidates.
    questions = make_questions(1, 1, 1)
    rows = [(0, 1, 1), (0, 1, 1), (1, 0, 0), (1, 0, 1)]
    q1 = quiz_statistics(make_attempts(questions, rows), questions).questions[0]
    # Marks 0,0,1,1 (mean .5, var 1/3); rest 2,2,0,1 (mean 1.25, var (.5625·2+1.5625+.0625)/3
    # = 2.75/3); cov = (−.5·.75·2 + .5·−1.25 + .5·−.25)/3 = −1.5/3 = −.5.
    # Sorted pairing (0,0,1,1)·(0,1,2,2): (−.5·−1.25 −.5·−.25 + .5·.75·2)/3 = 1.5/3 = .5.
    assert q1.discrimination_index == pytest.approx(-0.5 / math.sqrt(1 / 3 * 2.75 / 3))
    assert q1.discriminative_efficiency == pytest.approx(-1.0)
    assert QuestionFlag.LOW_DISCRIMINATION in q1.flags


def test_zero_variance_gives_none_not_nan():
    questions = make_questions(1, 1)
    rows = [(1, 1)] * 5
    result = quiz_statistics(make_attempts(questions, rows), questions)
    assert result.sd == 0
    assert result.cronbach_alpha is None  # total variance 0
    for question in result.questions:
        assert question.facility == 1
        assert question.sd == 0  # defined (n ≥ 2), just zero
        assert question.discrimination_index is None
        assert question.discriminative_efficiency is None
        assert question.flags == (QuestionFlag.LOW_DISCRIMINATION, QuestionFlag.TOO_EASY)


def test_constant_rest_gives_none():
    # Q2 never varies, so Q1's "rest of the test" is constant.
    questions = make_questions(1, 1)
    rows = [(1, 0), (0, 0), (1, 0)]
    q1, q2 = quiz_statistics(make_attempts(questions, rows), questions).questions
    assert q1.sd is not None and q1.sd > 0
    assert q1.discrimination_index is None
    assert q1.discriminative_efficiency is None
    assert q2.flags == (QuestionFlag.LOW_DISCRIMINATION, QuestionFlag.TOO_HARD)


def test_single_attempt():
    questions = make_questions(1, 2)
    result = quiz_statistics(make_attempts(questions, [(1, 0.5)]), questions)
    assert result.attempts == 1
    assert result.mean == result.median == 1.5
    assert result.sd is None
    assert result.cronbach_alpha is None
    q1, q2 = result.questions
    assert q1.facility == 1
    assert q2.facility == 0.25
    assert q1.sd is None and q1.discrimination_index is None
    assert q1.discriminative_efficiency is None
    # With one attempt only the facility flags can be raised.
    assert q1.flags == (QuestionFlag.TOO_EASY,)
    assert q2.flags == ()


def test_empty_input():
    questions = make_questions(1)
    result = quiz_statistics([], questions)
    assert result.attempts == 0
    assert result.mean is result.median is result.sd is result.cronbach_alpha is None
    assert result.totals == ()
    (question,) = result.questions
    assert question.attempts == question.answered == question.no_answer == 0
    assert question.mean_mark is question.facility is question.sd is None
    assert question.discrimination_index is question.discriminative_efficiency is None
    assert question.flags == ()


def test_no_questions():
    result = quiz_statistics([[], []], [])
    assert result.attempts == 2
    assert result.max_total == 0
    assert result.mean == 0
    assert result.cronbach_alpha is None
    assert result.questions == ()


def test_duplicate_question_ids_are_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        quiz_statistics([], make_questions(1, 1)[:1] * 2)


def test_option_counts_and_no_answer():
    question = QuestionInfo(
        id=7,
        position=1,
        text="Какие слои не обновляются?",
        max_mark=1,
        options=(
            OptionInfo(71, "MaxPooling", "correct"),
            OptionInfo(72, "Полносвязный слой", "incorrect"),
            (73, "Batch Normalization", "partial"),  # a plain tuple works too
        ),
    )
    other = QuestionInfo(id=8, position=2, text="Other", max_mark=1)
    attempts = [
        [ItemResponse(7, 1, 1, (71,)), ItemResponse(8, 1, 1, (80,))],
        [ItemResponse(7, 0.5, 1, (71, 72, 73))],  # Q8 missing: unanswered
        [ItemResponse(7, 0, 1, ()), ItemResponse(8, 0, 1, ())],  # explicit blank
        [ItemResponse(8, 0, 1, ())],  # Q7 missing
        [ItemResponse(7, 1, 1, (71, 71))],  # a duplicated id counts once
    ]
    q7, q8 = quiz_statistics(attempts, [question, other]).questions
    assert q7.option_counts == (
        OptionCount(option_id=71, label="MaxPooling", verdict="correct", count=3),
        OptionCount(option_id=72, label="Полносвязный слой", verdict="incorrect", count=1),
        OptionCount(option_id=73, label="Batch Normalization", verdict="partial", count=1),
    )
    assert (q7.attempts, q7.answered, q7.no_answer) == (5, 3, 2)
    assert q7.mean_mark == pytest.approx(2.5 / 5)
    assert (q8.attempts, q8.answered, q8.no_answer) == (5, 1, 4)
    assert q8.option_counts == ()


def test_shuffled_and_foreign_responses_match_ordered_ones():
    questions = make_questions(1, 2, 3)
    rng = random.Random(5)
    rows = [tuple(rng.choice((0, 0.5, 1)) * q.max_mark for q in questions) for _ in range(50)]
    ordered = make_attempts(questions, rows)
    shuffled = []
    for attempt in ordered:
        attempt = [*attempt, ItemResponse(999, 5, 5, (1,))]  # a removed question: ignored
        rng.shuffle(attempt)
        shuffled.append(attempt)
    assert quiz_statistics(shuffled, questions) == quiz_statistics(ordered, questions)


def test_chunk_boundaries_do_not_matter(monkeypatch):
    questions = make_questions(1, 1, 2)
    rng = random.Random(3)
    rows = [tuple(rng.choice((0, 1)) * q.max_mark for q in questions) for _ in range(23)]
    attempts = make_attempts(questions, rows)
    attempts[7] = attempts[7][::-1]  # forces the slow path in one chunk only
    expected = quiz_statistics(attempts, questions)
    monkeypatch.setattr(statistics_oracle, "_CHUNK_ATTEMPTS", 4)
    assert quiz_statistics(iter(attempts), questions) == expected


def test_flags_thresholds():
    questions = make_questions(1, 1, 1)
    # Q1 right in 1 of 11 attempts (facility 0.0909 < 0.1), Q2 in 10 of 11 (0.909 > 0.9),
    # Q3 in 6 of 11.
    rows = [(1, 1, 1)] + [(0, 1, 1)] * 5 + [(0, 1, 0)] * 4 + [(0, 0, 0)]
    q1, q2, q3 = quiz_statistics(make_attempts(questions, rows), questions).questions
    assert QuestionFlag.TOO_HARD in q1.flags
    assert QuestionFlag.TOO_EASY in q2.flags
    assert QuestionFlag.TOO_HARD not in q3.flags and QuestionFlag.TOO_EASY not in q3.flags
    assert q3.discrimination_index > quiz_stats.LOW_DISCRIMINATION
    assert QuestionFlag.LOW_DISCRIMINATION not in q3.flags
    assert QuestionFlag.TOO_EASY == "too easy"


# --- brute-force cross-check -------------------------------------------------------------


def reference(rows, max_marks):
    """Textbook formulas on full lists, as Moodle computes them."""
    n, k = len(rows), len(max_marks)
    totals = [sum(row) for row in rows]
    out = {"mean": py_statistics.fmean(totals), "median": py_statistics.median(totals)}
    out["sd"] = py_statistics.stdev(totals) if n >= 2 else None
    total_var = py_statistics.variance(totals) if n >= 2 else 0
    item_vars = [py_statistics.variance([row[q] for row in rows]) for q in range(k)]
    alpha_defined = k >= 2 and total_var > 1e-12
    out["alpha"] = k / (k - 1) * (1 - sum(item_vars) / total_var) if alpha_defined else None
    out["questions"] = []
    for q in range(k):
        x = [row[q] for row in rows]
        rest = [t - xi for t, xi in zip(totals, x, strict=True)]
        mx, mr = py_statistics.fmean(x), py_statistics.fmean(rest)
        vx, vr = py_statistics.variance(x), py_statistics.variance(rest)
        cov = sum((a - mx) * (b - mr) for a, b in zip(x, rest, strict=True)) / (n - 1)
        cov_max = sum((a - mx) * (b - mr) for a, b in zip(sorted(x), sorted(rest), strict=True)) / (
            n - 1
        )
        has_variance = vx > 1e-12 and vr > 1e-12
        out["questions"].append(
            {
                "facility": mx / max_marks[q],
                "sd": math.sqrt(vx) / max_marks[q],
                "r": cov / math.sqrt(vx * vr) if has_variance else None,
                "de": cov / cov_max if has_variance else None,
            }
        )
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda k: st.tuples(
            st.lists(st.sampled_from([1, 2, 3]), min_size=k, max_size=k),
            st.lists(
                st.lists(st.sampled_from([0, 0.25, 0.5, 1]), min_size=k, max_size=k),
                min_size=2,
                max_size=25,
            ),
        )
    )
)
def test_matches_brute_force_formulas(case):
    max_marks, fractions = case
    rows = [[f * m for f, m in zip(row, max_marks, strict=True)] for row in fractions]
    questions = make_questions(*max_marks)
    result = quiz_statistics(make_attempts(questions, rows), questions)
    expected = reference(rows, max_marks)
    assert result.mean == pytest.approx(expected["mean"])
    assert result.median == pytest.approx(expected["median"])
    assert result.sd == pytest.approx(expected["sd"])
    if expected["alpha"] is None:
        assert result.cronbach_alpha is None
    else:
        assert result.cronbach_alpha == pytest.approx(expected["alpha"], abs=1e-9)
    for got, want in zip(result.questions, expected["questions"], strict=True):
        assert got.facility == pytest.approx(want["facility"])
        assert got.sd == pytest.approx(want["sd"], abs=1e-12)
        if want["r"] is None:
            assert got.discrimination_index is None
            assert got.discriminative_efficiency is None
        else:
            assert got.discrimination_index == pytest.approx(want["r"], abs=1e-9)
            assert got.discriminative_efficiency == pytest.approx(want["de"], abs=1e-9)
            assert -1 <= got.discrimination_index <= 1
            assert got.discriminative_efficiency <= 1  # may be < −1 for skewed marks


def test_large_input_is_fast():
    # 20,000 × 40 here (building 100,000 attempts would dominate the test's run time); the
    # full 100,000 × 40 takes about five times as long, linear in the number of attempts.
    k, n = 40, 20_000
    questions = [
        QuestionInfo(
            id=q,
            position=q,
            text=f"Q{q}",
            max_mark=1,
            options=tuple(OptionInfo(q * 10 + o, f"o{o}", "correct") for o in range(4)),
        )
        for q in range(k)
    ]
    pool = [
        [
            ItemResponse(q, mark, 1, sel)
            for mark, sel in ((1, (q * 10,)), (0.5, (q * 10 + 1,)), (0, ()))
        ]
        for q in range(k)
    ]
    rng = random.Random(0)
    attempts = [[rng.choice(choices) for choices in pool] for _ in range(n)]
    started = time.perf_counter()
    result = quiz_statistics(attempts, questions)
    elapsed = time.perf_counter() - started
    assert result.attempts == n
    assert sum(c.count for c in result.questions[0].option_counts) == result.questions[0].answered
    assert elapsed < 2.0, f"{elapsed:.2f} s for {n} attempts"
