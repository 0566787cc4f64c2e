"""Recruiters' reads: the filtered list of attempts, an attempt's standing, a quiz's revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import OrderBy
from django.utils import timezone

from quizzes.content import RevisionContent
from quizzes.models import (
    SCORE_SORT_KEY,
    Attempt,
    HiringStatusChange,
    QuestionScoreChange,
    Quiz,
    QuizRevision,
    ScoreChange,
)
from quizzes.selectors.admission import Allowance, allowance, candidate_of

FINISHED = (Attempt.State.SUBMITTED, Attempt.State.CLOSED)


@dataclass
class AttemptFilters:
    """What a recruiter filters the attempts list (and the export) by; None = no filter."""

    quiz: Quiz | None = None
    state: str | None = None
    started_from: date | None = None
    started_to: date | None = None
    percent_min: Decimal | None = None
    percent_max: Decimal | None = None
    # True: attempts from any invite, False: without one, an Invite pk: from that invite.
    invite: bool | int | None = None
    # An Attempt.HiringStatus value.
    hiring_status: str | None = None
    search: str = ""
    sort: str = "-date"


SORTS: dict[str, tuple[str | OrderBy, str]] = {
    "date": ("started_at", "id"),
    "-date": ("-started_at", "-id"),
    # The indexed key: ungraded attempts (no percent) come first ascending, last descending.
    "score": (SCORE_SORT_KEY.asc(), "id"),
    "-score": (SCORE_SORT_KEY.desc(), "-id"),
    "duration": (F("elapsed").asc(nulls_last=True), "id"),
    "-duration": (F("elapsed").desc(nulls_last=True), "-id"),
}


def review_attempts(filters: AttemptFilters) -> QuerySet[Attempt]:
    """Attempts matching a recruiter's filters, with percent (stored) and duration."""
    # Neither the list nor the export shows the drawn order (layout) or the quiz's
    # description: the widest columns, and the rows get sorted.
    attempts = (
        Attempt.objects.select_related("quiz", "invite")
        .defer("layout", "quiz__description")
        .annotate(
            elapsed=ExpressionWrapper(
                F("submitted_at") - F("started_at"), output_field=DurationField()
            ),
        )
    )
    attempts = attempts.filter(_filter_condition(filters))
    return attempts.order_by(*SORTS.get(filters.sort, SORTS["-date"]))


def _filter_condition(filters: AttemptFilters) -> Q:
    condition = Q()
    if filters.quiz is not None:
        condition &= Q(quiz=filters.quiz)
    if filters.state:
        condition &= Q(state=filters.state)
    if filters.hiring_status:
        condition &= Q(hiring_status=filters.hiring_status)
    tz = timezone.get_current_timezone()
    if filters.started_from:
        condition &= Q(started_at__gte=datetime.combine(filters.started_from, time.min, tzinfo=tz))
    if filters.started_to:
        end = datetime.combine(filters.started_to + timedelta(days=1), time.min, tzinfo=tz)
        condition &= Q(started_at__lt=end)
    # A small tolerance so that 2 of 3 (66.666...%) is found by "up to 66.67%".
    if filters.percent_min is not None:
        condition &= Q(percent__gte=float(filters.percent_min) - 1e-9)
    if filters.percent_max is not None:
        condition &= Q(percent__lte=float(filters.percent_max) + 1e-9)
    if filters.invite is True:
        condition &= Q(invite__isnull=False)
    elif filters.invite is False:
        condition &= Q(invite__isnull=True)
    elif isinstance(filters.invite, int):
        condition &= Q(invite_id=filters.invite)
    if filters.search:
        # SQLite folds case for ASCII only, so "анна" would miss "Анна" there; searching the
        # usual spellings too covers it (PostgreSQL folds Cyrillic itself).
        match = Q()
        for variant in {filters.search, filters.search.lower(), filters.search.capitalize()}:
            match |= Q(candidate_name__icontains=variant) | Q(candidate_email__icontains=variant)
        condition &= match
    return condition


@dataclass
class Standing:
    rank: int
    # Ties share a rank; the percentile is the share of attempts scoring strictly lower.
    total: int
    percentile: Decimal


def attempt_standing(attempt: Attempt) -> Standing | None:
    """Rank and percentile of a finished attempt among the quiz's finished attempts.

    Attempts of different revisions may have different maxima, so attempts are compared
    by percentage, cross-multiplied to stay exact: a/b > c/d  <=>  a*d > c*b (b, d > 0).
    One aggregate query.
    """
    if attempt.state not in FINISHED or attempt.score is None or not attempt.max_score:
        return None
    mine = Value(attempt.score) * F("max_score")
    theirs = ExpressionWrapper(
        F("score") * Value(attempt.max_score), output_field=DecimalField(max_digits=30)
    )
    counts = (
        Attempt.objects.filter(
            quiz_id=attempt.quiz_id, state__in=FINISHED, score__isnull=False, max_score__gt=0
        )
        .annotate(mine=ExpressionWrapper(mine, output_field=DecimalField(max_digits=30)))
        .annotate(theirs=theirs)
        .aggregate(
            total=Count("pk"),
            above=Count("pk", filter=Q(theirs__gt=F("mine"))),
            equal=Count("pk", filter=Q(theirs=F("mine"))),
        )
    )
    total = counts["total"]
    if not total:
        return None
    below = total - counts["above"] - counts["equal"]
    percentile = Decimal(below) * 100 / total
    return Standing(
        rank=counts["above"] + 1, total=total, percentile=percentile.quantize(Decimal("0.1"))
    )


def quiz_revisions(quiz: Quiz) -> dict[int, RevisionContent]:
    """Revision id -> content of every revision of a quiz, newest first."""
    return dict(
        QuizRevision.objects.filter(quiz=quiz)
        .order_by("-created_at", "-id")
        .values_list("id", "content")
    )


def attempt_allowance(attempt: Attempt) -> Allowance:
    """The attempts the candidate behind `attempt` made of its quiz and may make."""
    return allowance(attempt.quiz, candidate_of(attempt))


@dataclass
class HistoryEntry:
    """One line of an attempt's history: a score change or a hiring status change."""

    created_at: datetime
    changed_by: User | None
    score: ScoreChange | None = None
    # (question number in the attempt, its points before and after), in question order.
    questions: list[tuple[int | None, QuestionScoreChange]] = field(default_factory=list)
    status: HiringStatusChange | None = None


def attempt_history(attempt: Attempt, numbers: dict[int, int]) -> list[HistoryEntry]:
    """Score and hiring status changes of the attempt, newest first (always three queries).

    `numbers` maps question ids to their numbers as the attempt presents them.
    """
    entries: list[HistoryEntry] = []
    # Read whether there are score changes or not, so the page's queries do not vary.
    items: dict[int, list[QuestionScoreChange]] = {}
    for item in QuestionScoreChange.objects.filter(change__attempt=attempt).order_by("id"):
        items.setdefault(item.change_id, []).append(item)
    for change in attempt.score_changes.select_related("changed_by"):
        questions = sorted(
            ((numbers.get(item.question_id), item) for item in items.get(change.pk, [])),
            key=lambda pair: (pair[0] is None, pair[0] or 0),
        )
        entries.append(
            HistoryEntry(change.created_at, change.changed_by, score=change, questions=questions)
        )
    for status in attempt.status_changes.select_related("changed_by"):
        entries.append(HistoryEntry(status.created_at, status.changed_by, status=status))
    entries.sort(key=lambda entry: entry.created_at, reverse=True)
    return entries
