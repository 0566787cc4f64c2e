"""Item analysis of a quiz, following Moodle's quiz statistics report.

Pure Python over plain data (no ORM), so that the formulas are tested on hand-computed cases.

Conventions (Moodle shows most of these as percentages; we return fractions):

* ``facility``: mean mark / max mark, 0..1 (Moodle: facility index %).
* ``sd``: sample standard deviation (n − 1) of the mark divided by the max mark, 0..1
  (Moodle: "Standard deviation" column, shown as % of the max mark).
* ``discrimination_index``: Pearson r between the question's mark and the rest of the test
  (total minus this question), −1..1 (Moodle shows 100 × r). Flagged below 0.15.
* ``discriminative_efficiency``: cov(mark, rest) / cov_max, at most 1 (Moodle shows × 100),
  where cov_max is the covariance obtained by pairing the sorted marks with the sorted rest
  marks. It is usually in −1..1 but can fall below −1 for a skewed, negatively
  discriminating question (Moodle does not clamp it either).
* Quiz ``cronbach_alpha``: k/(k−1) × (1 − Σ item variances / total variance) (Moodle's
  "coefficient of internal consistency" / 100).

Undefined values are ``None``, never NaN: sample SD with n < 2, correlations when either
variable has zero variance, alpha with fewer than two questions.

Defined is not meaningful: with a handful of attempts a correlation is ±1 or alpha 0 by
chance. ``with_minimum_sample`` marks a report whose attempts are fewer than a minimum
(the caller's setting): its discrimination, efficiency and alpha are not to be read yet,
and no question is flagged.

The database reduces a quiz's answers to small count tables (``selectors.statistics``); this
module computes the report from them, so the cost depends on the number of distinct marks and
answers, not on the number of attempts. Every attempt is taken to have seen every question:
an unanswered question is mark 0 and selection ``()``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "LOW_DISCRIMINATION",
    "TOO_EASY",
    "TOO_HARD",
    "OptionCount",
    "OptionInfo",
    "QuestionFlag",
    "QuestionInfo",
    "QuestionStatistics",
    "QuizStatistics",
    "quiz_statistics_from_tables",
    "with_minimum_sample",
]

# Thresholds from Moodle's report: it highlights discrimination below 15 % (0.15 here) and
# facility outside 10–90 %.
LOW_DISCRIMINATION = 0.15
TOO_HARD = 0.10
TOO_EASY = 0.90


class QuestionFlag(StrEnum):
    LOW_DISCRIMINATION = "low discrimination"
    TOO_HARD = "too hard"
    TOO_EASY = "too easy"


class OptionInfo(NamedTuple):
    id: int
    label: str
    verdict: str  # a grading.Verdict value: "correct", "incorrect" or "partial"


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    position: int
    text: str
    max_mark: float
    options: tuple[OptionInfo, ...] = ()  # plain (id, label, verdict) tuples work as well


@dataclass(frozen=True)
class OptionCount:
    option_id: int
    label: str
    verdict: str  # copied from OptionInfo, doubles as the chart's CSS class
    count: int  # attempts that ticked this option


@dataclass(frozen=True)
class QuestionStatistics:
    question_id: int
    position: int
    text: str
    max_mark: float
    attempts: int  # attempts analysed (every attempt sees every question)
    answered: int  # attempts that ticked at least one option
    no_answer: int  # attempts with nothing ticked (or no response at all)
    mean_mark: float | None  # None without attempts
    facility: float | None  # mean mark / max mark, 0..1; None without attempts or max mark
    sd: float | None  # sample SD of the mark / max mark; None when n < 2 or max mark is 0
    discrimination_index: float | None  # r(mark, rest of test), −1..1
    discriminative_efficiency: float | None  # cov(mark, rest) / cov_max, ≤ 1
    option_counts: tuple[OptionCount, ...]  # in QuestionInfo.options order
    flags: tuple[QuestionFlag, ...]


@dataclass(frozen=True)
class QuizStatistics:
    attempts: int
    max_total: float  # sum of the questions' max marks
    mean: float | None  # of attempt totals; None without attempts
    median: float | None
    sd: float | None  # sample SD (n − 1) of the totals; None when n < 2
    cronbach_alpha: float | None  # None when k < 2, n < 2 or the totals do not vary
    questions: tuple[QuestionStatistics, ...]  # in the order given
    totals: tuple[float, ...] = field(repr=False)  # sorted attempt totals, for histograms
    # Attempts needed before discrimination, efficiency and alpha mean something (0: none).
    min_attempts: int = 0

    @property
    def sample_too_small(self) -> bool:
        return self.attempts < self.min_attempts

    @property
    def attempts_needed(self) -> int:
        """How many more attempts the minimum sample needs."""
        return max(0, self.min_attempts - self.attempts)


def with_minimum_sample(stats: QuizStatistics, min_attempts: int) -> QuizStatistics:
    """The report marked against a minimum sample; below it no question is flagged.

    Facility is an average and reads fine from few attempts, but the flags would send an
    author to rewrite questions on noise, so below the minimum there are none at all.
    """
    stats = replace(stats, min_attempts=min_attempts)
    if not stats.sample_too_small:
        return stats
    return replace(stats, questions=tuple(replace(q, flags=()) for q in stats.questions))


def quiz_statistics_from_tables(
    questions: Sequence[QuestionInfo],
    *,
    totals: Sequence[float],
    mark_counts: Sequence[Counter[float]],
    rest_counts: Sequence[Counter[float]],
    selection_counts: Sequence[Counter[tuple[int, ...]]],
) -> QuizStatistics:
    """The same report from what the pass reduces attempts to (a database can build these).

    ``totals``: every attempt's total; per question in ``questions`` order: mark → attempts,
    rest of the test (total − mark) → attempts, selected ids → attempts, each table summing to
    ``len(totals)`` (an unanswered question is mark 0 and selection ``()``).
    """
    k = len(questions)
    n = len(totals)
    sorted_totals = sorted(totals)
    mean: float | None = None
    median = sd = total_variance = None
    if n:
        mean = math.fsum(sorted_totals) / n
        middle = n // 2
        median = (
            sorted_totals[middle]
            if n % 2
            else (sorted_totals[middle - 1] + sorted_totals[middle]) / 2
        )
        if n >= 2:
            if sorted_totals[0] == sorted_totals[-1]:
                total_variance = 0.0  # exact: no rounding noise posing as variance
            else:
                total_variance = math.fsum((t - mean) ** 2 for t in sorted_totals) / (n - 1)
            sd = math.sqrt(total_variance)

    question_stats = tuple(
        _question_statistics(
            question,
            n,
            mark_counts[position],
            selection_counts[position],
            rest_counts[position],
            total_variance,
        )
        for position, question in enumerate(questions)
    )

    alpha = None
    if k >= 2 and total_variance:
        item_variances = math.fsum(_variance(counts, _mean(counts, n), n) for counts in mark_counts)
        alpha = k / (k - 1) * (1 - item_variances / total_variance)
    return QuizStatistics(
        attempts=n,
        max_total=math.fsum(q.max_mark for q in questions),
        mean=mean,
        median=median,
        sd=sd,
        cronbach_alpha=alpha,
        questions=question_stats,
        totals=tuple(sorted_totals),
    )


def _question_statistics(
    question: QuestionInfo,
    n: int,
    mark_counts: Counter[float],
    selection_counts: Counter[tuple[int, ...]],
    rest: Counter[float],
    total_variance: float | None,
) -> QuestionStatistics:
    answered, option_counts = _tick_counts(selection_counts)
    mean_mark = facility = sd = discrimination = efficiency = None
    max_mark = question.max_mark
    if n:
        mean_mark = mean = _mean(mark_counts, n)
        if max_mark:
            facility = mean / max_mark
        # Every total variance is known once there are two attempts.
        if n >= 2 and total_variance is not None:
            mark_variance = _variance(mark_counts, mean, n)
            if max_mark:
                sd = math.sqrt(mark_variance) / max_mark
            discrimination, efficiency = _discrimination(
                mark_counts, mean, mark_variance, rest, n, total_variance
            )

    return QuestionStatistics(
        question_id=question.id,
        position=question.position,
        text=question.text,
        max_mark=max_mark,
        attempts=n,
        answered=answered,
        no_answer=n - answered,
        mean_mark=mean_mark,
        facility=facility,
        sd=sd,
        discrimination_index=discrimination,
        discriminative_efficiency=efficiency,
        option_counts=tuple(
            OptionCount(
                option_id=option_id, label=label, verdict=verdict, count=option_counts[option_id]
            )
            for option_id, label, verdict in question.options
        ),
        flags=_flags(n, discrimination, facility),
    )


def _tick_counts(selection_counts: Counter[tuple[int, ...]]) -> tuple[int, Counter[int]]:
    """Attempts that ticked at least one option, and attempts per ticked option."""
    option_counts: Counter[int] = Counter()
    answered = 0
    for selected, count in selection_counts.items():
        if selected:
            answered += count
            # Count each option once per attempt even if the id was sent twice.
            for option_id in set(selected):
                option_counts[option_id] += count
    return answered, option_counts


def _discrimination(
    marks: Counter[float],
    mark_mean: float,
    mark_variance: float,
    rest: Counter[float],
    n: int,
    total_variance: float,
) -> tuple[float | None, float | None]:
    """Discrimination index and discriminative efficiency (n ≥ 2); None where undefined."""
    discrimination = efficiency = None
    rest_mean = _mean(rest, n)
    rest_variance = _variance(rest, rest_mean, n)
    if mark_variance > 0 and rest_variance > 0:
        # total = mark + rest, so cov(mark, rest) follows from the three variances
        # without another pass over the marks.
        covariance = (total_variance - mark_variance - rest_variance) / 2
        discrimination = _clamp(covariance / math.sqrt(mark_variance * rest_variance))
        max_covariance = _sorted_pairing_covariance(marks, mark_mean, rest, rest_mean, n)
        if max_covariance > 0:
            # Only the upper bound is a theorem (cov ≤ cov_max); a negative covariance can
            # exceed cov_max in size for skewed marks, so no lower clamp.
            efficiency = min(1.0, covariance / max_covariance)
    return discrimination, efficiency


def _flags(
    n: int, discrimination: float | None, facility: float | None
) -> tuple[QuestionFlag, ...]:
    flags = []
    if n >= 2 and (discrimination is None or discrimination < LOW_DISCRIMINATION):
        # Zero variance (everyone scored the same) cannot discriminate either.
        flags.append(QuestionFlag.LOW_DISCRIMINATION)
    if facility is not None and facility < TOO_HARD:
        flags.append(QuestionFlag.TOO_HARD)
    if facility is not None and facility > TOO_EASY:
        flags.append(QuestionFlag.TOO_EASY)
    return tuple(flags)


def _mean(counts: Counter[float], n: int) -> float:
    return math.fsum(value * count for value, count in counts.items()) / n


def _variance(counts: Counter[float], mean: float, n: int) -> float:
    """Sample variance of a value → count table; exactly 0 when only one value occurs."""
    if len(counts) < 2:
        return 0.0
    return math.fsum(count * (value - mean) ** 2 for value, count in counts.items()) / (n - 1)


def _sorted_pairing_covariance(
    marks: Counter[float], mark_mean: float, rest: Counter[float], rest_mean: float, n: int
) -> float:
    """Moodle's cov_max: the covariance when sorted marks are paired with sorted rest marks.

    Both sides are run-length tables, so the pairing walks the runs in step instead of
    sorting n values per question.
    """
    mark_runs = sorted(marks.items())
    rest_runs = sorted(rest.items())
    terms = []
    i = j = 0
    mark_left = mark_runs[0][1]
    rest_left = rest_runs[0][1]
    while i < len(mark_runs) and j < len(rest_runs):
        step = min(mark_left, rest_left)
        terms.append(step * (mark_runs[i][0] - mark_mean) * (rest_runs[j][0] - rest_mean))
        mark_left -= step
        rest_left -= step
        if not mark_left:
            i += 1
            if i < len(mark_runs):
                mark_left = mark_runs[i][1]
        if not rest_left:
            j += 1
            if j < len(rest_runs):
                rest_left = rest_runs[j][1]
    return math.fsum(terms) / (n - 1)


def _clamp(value: float) -> float:
    # Rounding can push a ratio that is mathematically within ±1 just outside it.
    return max(-1.0, min(1.0, value))
