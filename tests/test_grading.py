"""Grading rules: worked examples from the seed, then properties over random questions."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.grading import (
    AttemptGrade,
    GradableOption,
    GradableQuestion,
    GradingError,
    Kind,
    QuestionGrade,
    Strategy,
    Verdict,
    grade_attempt,
    grade_question,
    question_fraction,
)

C, W, P = Verdict.CORRECT, Verdict.INCORRECT, Verdict.PARTIAL

# The seed's first question: "Какие из следующих слоев нейронной сети не обновляются при
# backpropagation?" — option ids in the seed's order.
MAXPOOL, DENSE, DROPOUT, CONV, BATCHNORM, RELU = 1, 2, 3, 4, 5, 6
SEED_OPTIONS = (
    GradableOption(MAXPOOL, C),  # ✅ MaxPooling
    GradableOption(DENSE, W),  # ❌ Полносвязный слой
    GradableOption(DROPOUT, C),  # ✅ Dropout
    GradableOption(CONV, W),  # ❌ Слой свертки
    GradableOption(BATCHNORM, P),  # ⚠️ Batch Normalization
    GradableOption(RELU, C),  # ✅ ReLU
)
ALL_SIX = {MAXPOOL, DENSE, DROPOUT, CONV, BATCHNORM, RELU}


def seed_question(strategy: Strategy, points: Decimal = Decimal(1)) -> GradableQuestion:
    return GradableQuestion(
        id=1, kind=Kind.MULTIPLE, options=SEED_OPTIONS, points=points, strategy=strategy
    )


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ({MAXPOOL, DROPOUT, RELU}, Fraction(1)),
        ({MAXPOOL, DROPOUT, RELU, BATCHNORM}, Fraction(1)),
        ({MAXPOOL, DROPOUT}, Fraction(2, 3)),
        ({MAXPOOL, DROPOUT, RELU, DENSE}, Fraction(1, 2)),
        (ALL_SIX, Fraction(0)),
        ({BATCHNORM}, Fraction(0)),
        (set(), Fraction(0)),
    ],
)
def test_partial_strategy_on_seed_question(selected, expected):
    assert question_fraction(seed_question(Strategy.PARTIAL), selected) == expected


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ({MAXPOOL, DROPOUT, RELU}, Fraction(1)),
        ({MAXPOOL, DROPOUT, RELU, BATCHNORM}, Fraction(1)),  # ⚠️ is neutral
        ({MAXPOOL, DROPOUT}, Fraction(0)),
        ({MAXPOOL, DROPOUT, RELU, DENSE}, Fraction(0)),
        (ALL_SIX, Fraction(0)),
        ({BATCHNORM}, Fraction(0)),
        (set(), Fraction(0)),
    ],
)
def test_all_or_nothing_strategy_on_seed_question(selected, expected):
    assert question_fraction(seed_question(Strategy.ALL_OR_NOTHING), selected) == expected


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        # |C ∪ W| = 5 graded options; ⚠️ BatchNorm never counts either way.
        ({MAXPOOL, DROPOUT, RELU}, Fraction(5, 5)),
        ({MAXPOOL, DROPOUT, RELU, BATCHNORM}, Fraction(5, 5)),
        ({MAXPOOL, DROPOUT}, Fraction(4, 5)),  # ReLU wrongly unticked
        ({MAXPOOL, DROPOUT, RELU, DENSE}, Fraction(4, 5)),  # Полносвязный wrongly ticked
        (ALL_SIX, Fraction(3, 5)),  # both ❌ wrongly ticked
        ({BATCHNORM}, Fraction(2, 5)),  # only the two ❌ are in the right (unticked) state
        ({DENSE}, Fraction(1, 5)),
        (set(), Fraction(0)),  # explicit rule: unanswered is 0, not 2/5
    ],
)
def test_per_option_strategy_on_seed_question(selected, expected):
    assert question_fraction(seed_question(Strategy.PER_OPTION), selected) == expected


def single_question(partial_fraction: Decimal = Decimal("0.5")) -> GradableQuestion:
    return GradableQuestion(
        id=7,
        kind=Kind.SINGLE,
        options=(GradableOption(10, C), GradableOption(11, W), GradableOption(12, P)),
        points=Decimal(2),
        partial_fraction=partial_fraction,
    )


@pytest.mark.parametrize(
    ("partial_fraction", "selected", "fraction", "points"),
    [
        (Decimal("0.5"), [10], Fraction(1), Decimal("2.0000")),
        (Decimal("0.5"), [11], Fraction(0), Decimal("0.0000")),
        (Decimal("0.5"), [12], Fraction(1, 2), Decimal("1.0000")),
        (Decimal("0.25"), [12], Fraction(1, 4), Decimal("0.5000")),
        (Decimal("0.25"), [10], Fraction(1), Decimal("2.0000")),
        (Decimal("0.5"), [], Fraction(0), Decimal("0.0000")),
        (Decimal("0.5"), [10, 10], Fraction(1), Decimal("2.0000")),  # duplicates collapse
    ],
)
def test_single_choice(partial_fraction, selected, fraction, points):
    grade = grade_question(single_question(partial_fraction), selected)
    assert grade == QuestionGrade(
        question_id=7, fraction=fraction, points=points, max_points=Decimal(2)
    )


def test_single_choice_rejects_two_options():
    with pytest.raises(GradingError, match="single choice"):
        question_fraction(single_question(), [10, 11])


def test_unknown_option_is_rejected():
    with pytest.raises(GradingError, match="unknown option"):
        question_fraction(seed_question(Strategy.PARTIAL), [MAXPOOL, 99])


def test_grading_error_is_a_value_error():
    assert issubclass(GradingError, ValueError)


@pytest.mark.parametrize("strategy", list(Strategy))
def test_question_without_correct_option_earns_nothing(strategy):
    question = GradableQuestion(
        id=1,
        kind=Kind.MULTIPLE,
        options=(GradableOption(1, W), GradableOption(2, P)),
        strategy=strategy,
    )
    assert question_fraction(question, []) == 0
    assert question_fraction(question, [2]) == 0
    assert question_fraction(question, [1, 2]) == 0


def test_question_without_options_earns_nothing():
    question = GradableQuestion(id=1, kind=Kind.MULTIPLE, options=())
    assert question_fraction(question, []) == 0


def test_single_choice_without_correct_option_earns_nothing():
    question = GradableQuestion(
        id=1, kind=Kind.SINGLE, options=(GradableOption(1, W), GradableOption(2, P))
    )
    assert question_fraction(question, [2]) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"options": (GradableOption(1, C), GradableOption(1, W))},
        {"points": Decimal(-1)},
        {"partial_fraction": Decimal("1.5")},
        {"partial_fraction": Decimal("-0.1")},
    ],
)
def test_malformed_question_is_rejected(kwargs):
    fields = {"id": 1, "kind": Kind.SINGLE, "options": (GradableOption(1, C),)} | kwargs
    with pytest.raises(GradingError):
        GradableQuestion(**fields)


def test_points_are_rounded_half_up_to_four_places():
    # 2/3 × 1 = 0.66666… → 0.6667.
    partial = seed_question(Strategy.PARTIAL)
    assert grade_question(partial, {MAXPOOL, DROPOUT}).points == Decimal("0.6667")
    # 1/2 × 0.0001 = 0.00005 → 0.0001: half up, not half to even.
    half = GradableQuestion(
        id=2,
        kind=Kind.MULTIPLE,
        options=(GradableOption(1, C), GradableOption(2, C)),
        points=Decimal("0.0001"),
    )
    assert grade_question(half, [1]).points == Decimal("0.0001")
    # 3/5 × 0.0001 = 0.00006 → 0.0001; 1/5 × 0.0001 = 0.00002 → 0.0000.
    tiny = seed_question(Strategy.PER_OPTION, points=Decimal("0.0001"))
    assert grade_question(tiny, {MAXPOOL}).points == Decimal("0.0001")
    assert grade_question(tiny, {DENSE}).points == Decimal("0.0000")


def test_attempt_score_sums_exact_fractions_before_rounding():
    # Three questions each earning 2/3 of one point: rounded individually 3 × 0.6667 = 2.0001,
    # but the attempt score is the exact 2 rounded once.
    questions = [
        GradableQuestion(id=i, kind=Kind.MULTIPLE, options=SEED_OPTIONS) for i in (1, 2, 3)
    ]
    result = grade_attempt(questions, {i: {MAXPOOL, DROPOUT} for i in (1, 2, 3)})
    assert [g.points for g in result.questions] == [Decimal("0.6667")] * 3
    assert result.score == Decimal("2.0000")
    assert result.max_score == Decimal(3)
    assert result.percentage == Decimal("66.67")


def test_attempt_treats_missing_questions_as_unanswered_and_ignores_stale_keys():
    q1 = seed_question(Strategy.PARTIAL)
    q2 = GradableQuestion(
        id=2, kind=Kind.SINGLE, options=(GradableOption(10, C),), points=Decimal(3)
    )
    result = grade_attempt([q1, q2], {1: [MAXPOOL, DROPOUT, RELU], 999: [1]})
    assert [g.question_id for g in result.questions] == [1, 2]
    assert result.questions[1].fraction == 0
    assert result.score == Decimal("1.0000")
    assert result.max_score == Decimal(4)
    assert result.percentage == Decimal("25.00")


def test_attempt_rejects_duplicate_question_ids():
    q = seed_question(Strategy.PARTIAL)
    with pytest.raises(GradingError, match="twice"):
        grade_attempt([q, q], {})


def test_empty_attempt():
    result = grade_attempt([], {})
    assert result == AttemptGrade(questions=(), score=Decimal("0.0000"), max_score=Decimal(0))
    assert result.percentage == Decimal("0.00")
    assert result.passed(None) is None
    assert result.passed(Decimal(50)) is False


@pytest.mark.parametrize(
    ("pass_mark", "expected"),
    [(None, None), (Decimal(60), True), (Decimal("66.67"), True), (Decimal("66.68"), False)],
)
def test_passed_compares_displayed_percentage(pass_mark, expected):
    grade = AttemptGrade(questions=(), score=Decimal("2.0000"), max_score=Decimal(3))
    assert grade.percentage == Decimal("66.67")
    assert grade.passed(pass_mark) is expected


# --- properties -------------------------------------------------------------------------


@st.composite
def questions(draw, kind=None, strategy=None, with_correct=True):
    n = draw(st.integers(min_value=1, max_value=8))
    ids = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n, unique=True))
    verdicts = draw(st.lists(st.sampled_from(list(Verdict)), min_size=n, max_size=n))
    if with_correct and C not in verdicts:
        verdicts[draw(st.integers(0, n - 1))] = C
    return GradableQuestion(
        id=draw(st.integers(1, 10_000)),
        kind=kind or draw(st.sampled_from(list(Kind))),
        options=tuple(GradableOption(i, v) for i, v in zip(ids, verdicts, strict=True)),
        points=draw(st.decimals(min_value=0, max_value=100, places=2)),
        strategy=strategy or draw(st.sampled_from(list(Strategy))),
        partial_fraction=draw(st.decimals(min_value=0, max_value=1, places=2)),
    )


def ids_with(question, verdict):
    return {o.id for o in question.options if o.verdict == verdict}


@st.composite
def question_and_selection(draw, **kwargs):
    question = draw(questions(**kwargs))
    option_ids = [o.id for o in question.options]
    if question.kind == Kind.SINGLE:
        selected = draw(st.lists(st.sampled_from(option_ids), max_size=1))
    else:
        selected = draw(st.lists(st.sampled_from(option_ids), unique=True))
    return question, selected


@given(question_and_selection(with_correct=False))
def test_points_stay_within_question_points(case):
    question, selected = case
    grade = grade_question(question, selected)
    assert 0 <= grade.fraction <= 1
    assert 0 <= grade.points <= question.points
    assert grade.max_points == question.points


@given(questions(), st.data())
def test_exactly_the_correct_options_plus_caveats_earn_full_points(question, data):
    correct = ids_with(question, C)
    caveats = sorted(ids_with(question, P))
    if question.kind == Kind.SINGLE:
        selected = {data.draw(st.sampled_from(sorted(correct)))}
    else:
        some_caveats = data.draw(st.sets(st.sampled_from(caveats))) if caveats else set()
        selected = correct | some_caveats
    assert question_fraction(question, selected) == 1


@given(question_and_selection(kind=Kind.MULTIPLE), st.data())
def test_adding_a_wrong_option_never_raises_credit(case, data):
    question, selected = case
    unticked_wrong = sorted(ids_with(question, W) - set(selected))
    if not selected or not unticked_wrong:
        return
    extra = data.draw(st.sampled_from(unticked_wrong))
    assert question_fraction(question, [*selected, extra]) <= question_fraction(question, selected)


@given(question_and_selection(), st.data())
def test_removing_a_correct_option_never_raises_credit(case, data):
    question, selected = case
    ticked_correct = sorted(ids_with(question, C) & set(selected))
    if not ticked_correct:
        return
    removed = data.draw(st.sampled_from(ticked_correct))
    fewer = [i for i in selected if i != removed]
    assert question_fraction(question, fewer) <= question_fraction(question, selected)


@given(question_and_selection(kind=Kind.MULTIPLE, strategy=Strategy.ALL_OR_NOTHING))
def test_all_or_nothing_is_zero_or_one(case):
    question, selected = case
    assert question_fraction(question, selected) in (0, 1)


@given(question_and_selection(with_correct=False), st.randoms(use_true_random=False))
def test_grading_is_deterministic_and_ignores_option_and_selection_order(case, rnd):
    question, selected = case
    options = list(question.options)
    rnd.shuffle(options)
    shuffled = GradableQuestion(
        id=question.id,
        kind=question.kind,
        options=tuple(options),
        points=question.points,
        strategy=question.strategy,
        partial_fraction=question.partial_fraction,
    )
    reordered = list(reversed(selected))
    expected = grade_question(question, selected)
    assert grade_question(question, selected) == expected
    assert grade_question(shuffled, reordered) == expected


@st.composite
def attempts(draw):
    cases = draw(st.lists(question_and_selection(with_correct=False), max_size=12))
    qs, selections, seen = [], {}, set()
    for question, selected in cases:
        if question.id in seen:
            continue
        seen.add(question.id)
        qs.append(question)
        if draw(st.booleans()):  # some questions stay unanswered (missing key)
            selections[question.id] = selected
    return qs, selections


@given(attempts())
def test_attempt_score_is_the_sum_of_question_points(case):
    qs, selections = case
    result = grade_attempt(qs, selections)
    assert len(result.questions) == len(qs)
    assert result.max_score == sum((q.points for q in qs), Decimal(0))
    rounding_slack = Decimal("0.0001") * max(len(qs), 1)
    assert abs(result.score - sum(g.points for g in result.questions)) <= rounding_slack
    assert 0 <= result.score <= result.max_score
    assert Decimal(0) <= result.percentage <= Decimal(100)


@given(question_and_selection(), st.integers())
def test_unknown_option_id_raises(case, stranger):
    question, selected = case
    if stranger in {o.id for o in question.options}:
        return
    with pytest.raises(GradingError):
        question_fraction(question, [*selected, stranger])
