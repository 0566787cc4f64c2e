"""Pure grading rules for single- and multiple-choice questions.

Kept free of Django so that every rule can be tested exhaustively (hypothesis) without a
database; the ORM layer maps its rows onto these frozen dataclasses and stores the results.

Arithmetic is exact: per-question credit is a ``Fraction``; conversion to ``Decimal`` happens
once, with ROUND_HALF_UP to 0.0001, so an attempt's score never accumulates rounding error
from its questions (three questions worth 1/3 each add up to 1, not 0.9999).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "AttemptGrade",
    "GradableOption",
    "GradableQuestion",
    "GradingError",
    "Kind",
    "QuestionGrade",
    "Strategy",
    "Verdict",
    "grade_attempt",
    "grade_question",
    "question_fraction",
]

# Scores are stored with four decimals (e.g. 2/3 of a point = 0.6667), percentages with two.
SCORE_QUANTUM = Decimal("0.0001")
PERCENT_QUANTUM = Decimal("0.01")


class Verdict(StrEnum):
    """How an option is marked in the source material."""

    CORRECT = "correct"  # ✅
    INCORRECT = "incorrect"  # ❌
    PARTIAL = "partial"  # ⚠️ debatable: neutral in multiple choice, partial credit in single


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"


class Strategy(StrEnum):
    """Scoring rule for multiple-choice questions (single choice ignores it)."""

    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"
    PER_OPTION = "per_option"


class GradingError(ValueError):
    """A selection (or a question) that cannot be graded.

    Raised when ``selected`` names an id that is not an option of the question, when a
    single-choice question receives more than one distinct id, or when a question itself is
    malformed (duplicate option ids, negative points, partial fraction outside [0, 1]).
    """


@dataclass(frozen=True)
class GradableOption:
    id: int
    verdict: Verdict


@dataclass(frozen=True)
class GradableQuestion:
    id: int
    kind: Kind
    options: tuple[GradableOption, ...]
    points: Decimal = Decimal(1)
    strategy: Strategy = Strategy.PARTIAL  # only used for MULTIPLE
    partial_fraction: Decimal = Decimal("0.5")  # single choice ⚠️ credit

    def __post_init__(self) -> None:
        # Validate once here so the grading functions can trust the question; a bad question
        # is an authoring/import bug and must not silently produce odd scores.
        ids = [option.id for option in self.options]
        if len(set(ids)) != len(ids):
            raise GradingError(f"question {self.id}: duplicate option ids {sorted(ids)}")
        if self.points < 0:
            raise GradingError(f"question {self.id}: negative points {self.points}")
        if not 0 <= self.partial_fraction <= 1:
            raise GradingError(
                f"question {self.id}: partial_fraction {self.partial_fraction} not in [0, 1]"
            )


@dataclass(frozen=True)
class QuestionGrade:
    question_id: int
    fraction: Fraction  # exact, in [0, 1]
    points: Decimal  # fraction × question points, quantized to 0.0001 (ROUND_HALF_UP)
    max_points: Decimal


@dataclass(frozen=True)
class AttemptGrade:
    questions: tuple[QuestionGrade, ...]
    score: Decimal  # sum of the exact fractions × points, quantized to 0.0001 once at the end
    max_score: Decimal

    @property
    def percentage(self) -> Decimal:
        """Score as 0..100, quantized to 0.01; 0 for a quiz worth nothing."""
        if self.max_score == 0:
            return Decimal(0).quantize(PERCENT_QUANTUM)
        return _quantize(Fraction(self.score) * 100 / Fraction(self.max_score), PERCENT_QUANTUM)

    def passed(self, pass_mark_percent: Decimal | None) -> bool | None:
        """Whether the attempt reaches the pass mark; None when the quiz has no pass mark.

        Compares the *displayed* percentage (0.01 precision) so that what the candidate
        sees ("66.67 %, pass mark 66.67 %") can never contradict the verdict.
        """
        if pass_mark_percent is None:
            return None
        return self.percentage >= pass_mark_percent


def _quantize(value: Fraction, quantum: Decimal) -> Decimal:
    """Round an exact fraction to ``quantum`` with ROUND_HALF_UP, without double rounding.

    Going through ``Decimal(num) / Decimal(den)`` first would round at 28 digits and then
    again at the quantum; integer arithmetic rounds exactly once.
    """
    step = Fraction(quantum)
    scaled = abs(value) / step
    units = int(scaled)  # floor for non-negative values
    if scaled - units >= Fraction(1, 2):
        units += 1
    if value < 0:
        units = -units
    return (Decimal(units) * quantum).quantize(quantum)


def _selected_ids(question: GradableQuestion, selected: Iterable[int]) -> frozenset[int]:
    chosen = frozenset(selected)  # duplicates collapse: ticking twice is ticking once
    unknown = chosen - {option.id for option in question.options}
    if unknown:
        raise GradingError(f"question {question.id}: unknown option ids {sorted(unknown)}")
    if question.kind == Kind.SINGLE and len(chosen) > 1:
        raise GradingError(
            f"question {question.id}: single choice got {len(chosen)} options {sorted(chosen)}"
        )
    return chosen


def question_fraction(question: GradableQuestion, selected: Iterable[int]) -> Fraction:
    """Exact share of the question's points earned by ``selected``, in [0, 1].

    Rules (C = ✅ ids, W = ❌ ids, P = ⚠️ ids, S = selected ids):

    * Unanswered (S empty): 0 under every rule, so leaving a question blank never scores
      (``per_option`` alone would otherwise give |W| / |C ∪ W| for doing nothing).
    * Degenerate question without any ✅ option: 0 for every selection. Nothing can be
      answered "right", so nothing earns credit; importers should reject such questions.
    * Single choice: 1 for a ✅, ``partial_fraction`` for a ⚠️, 0 for a ❌.
    * Multiple choice, ``all_or_nothing``: 1 if C ⊆ S and S ∩ W = ∅; ⚠️ is neutral.
    * Multiple choice, ``partial`` (Moodle): clamp(|S∩C|/|C| − |S∩W|/|W|, 0, 1), the second
      term being 0 when W is empty; ⚠️ is neutral, so ticking everything earns 0.
    * Multiple choice, ``per_option``: share of non-⚠️ options whose tick state is right,
      |S∩C| + |W∖S| over |C ∪ W| (never empty here because C is not).
    """
    chosen = _selected_ids(question, selected)
    if not chosen:
        return Fraction(0)
    correct = frozenset(o.id for o in question.options if o.verdict == Verdict.CORRECT)
    if not correct:
        return Fraction(0)
    wrong = frozenset(o.id for o in question.options if o.verdict == Verdict.INCORRECT)

    if question.kind == Kind.SINGLE:
        (choice,) = chosen
        if choice in correct:
            return Fraction(1)
        if choice in wrong:
            return Fraction(0)
        return Fraction(question.partial_fraction)

    if question.strategy == Strategy.ALL_OR_NOTHING:
        return Fraction(int(correct <= chosen and not chosen & wrong))
    if question.strategy == Strategy.PARTIAL:
        earned = Fraction(len(chosen & correct), len(correct))
        if wrong:
            earned -= Fraction(len(chosen & wrong), len(wrong))
        return min(max(earned, Fraction(0)), Fraction(1))
    if question.strategy == Strategy.PER_OPTION:
        right_states = len(chosen & correct) + len(wrong - chosen)
        return Fraction(right_states, len(correct | wrong))
    raise GradingError(f"question {question.id}: unknown strategy {question.strategy!r}")


def _grade(question: GradableQuestion, selected: Iterable[int]) -> tuple[QuestionGrade, Fraction]:
    fraction = question_fraction(question, selected)
    exact_points = fraction * Fraction(question.points)
    grade = QuestionGrade(
        question_id=question.id,
        fraction=fraction,
        points=_quantize(exact_points, SCORE_QUANTUM),
        max_points=question.points,
    )
    return grade, exact_points


def grade_question(question: GradableQuestion, selected: Iterable[int]) -> QuestionGrade:
    """Grade one question; see ``question_fraction`` for the rules."""
    return _grade(question, selected)[0]


def grade_attempt(
    questions: Iterable[GradableQuestion], selections: Mapping[int, Iterable[int]]
) -> AttemptGrade:
    """Grade every question of an attempt, in the given order.

    A question whose id is missing from ``selections`` is unanswered (0 points). Keys of
    ``selections`` that match no question are ignored, so a stale answer to a question that
    was removed from the quiz cannot block grading. The score is the exact sum, rounded once.
    """
    grades: list[QuestionGrade] = []
    exact_total = Fraction(0)
    max_score = Decimal(0)
    seen: set[int] = set()
    for question in questions:
        if question.id in seen:
            raise GradingError(f"question {question.id} appears twice in the attempt")
        seen.add(question.id)
        grade, exact_points = _grade(question, selections.get(question.id, ()))
        grades.append(grade)
        exact_total += exact_points
        max_score += question.points
    return AttemptGrade(
        questions=tuple(grades),
        score=_quantize(exact_total, SCORE_QUANTUM),
        max_score=max_score,
    )
