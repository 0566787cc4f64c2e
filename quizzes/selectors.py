"""Reads that shape stored data for pages: what an attempt presents, and how it went."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import chain, islice, repeat
from time import monotonic, sleep

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from quizzes import formats, statistics
from quizzes.exports import option_label
from quizzes.models import (
    SCORE_SORT_KEY,
    Answer,
    Attempt,
    Invite,
    Question,
    Quiz,
    QuizRevision,
)


def public_quizzes() -> QuerySet[Quiz]:
    return (
        Quiz.objects.filter(published=True, access=Quiz.Access.PUBLIC)
        .annotate(question_count=Count("questions", filter=Q(questions__published=True)))
        .order_by("title")
    )


def presented_questions(attempt: Attempt) -> list[dict]:
    """The attempt's questions from its revision, in the order drawn for it, numbered."""
    by_id = {question["id"]: question for question in attempt.revision.content["questions"]}
    presented = []
    for number, question_id in enumerate(attempt.layout["questions"], start=1):
        question = by_id[question_id]
        options = {option["id"]: option for option in question["options"]}
        presented.append(
            {
                **question,
                "number": number,
                "options": [options[i] for i in attempt.layout["options"][str(question_id)]],
            }
        )
    return presented


@dataclass
class ReviewedOption:
    text: str
    verdict: str
    feedback: str
    chosen: bool


@dataclass
class ReviewedQuestion:
    number: int
    text: str
    kind: str
    explanation: str
    options: list[ReviewedOption]
    answered: bool
    points: Decimal | None
    max_points: Decimal
    overridden: bool
    question_id: int = 0
    time_spent: int = 0

    @property
    def fully_correct(self) -> bool:
        return self.points is not None and self.points == self.max_points

    @property
    def partly_correct(self) -> bool:
        return self.points is not None and 0 < self.points < self.max_points

    @property
    def shown(self) -> tuple:
        """Everything the result page shows of this question: its fragment's cache key.

        The key is the content itself, so a cached fragment can only ever be served for
        identical output (another candidate's identical answer, a reload), and a regrade or
        override that changes the points changes the key.
        """
        return (
            self.number,
            self.text,
            self.kind,
            self.explanation,
            tuple((o.text, o.verdict, o.feedback, o.chosen) for o in self.options),
            self.answered,
            str(self.points),
            str(self.max_points),
            self.overridden,
        )


def attempt_review(attempt: Attempt, answers: list[Answer] | None = None) -> list[ReviewedQuestion]:
    """Each presented question with the candidate's choices against the stored verdicts."""
    if answers is None:
        answers = list(attempt.answers.all())
    by_question = {answer.question_id: answer for answer in answers}
    reviewed = []
    for question in presented_questions(attempt):
        answer = by_question.get(question["id"])
        chosen = set(answer.selected) if answer else set()
        reviewed.append(
            ReviewedQuestion(
                number=question["number"],
                text=question["text"],
                kind=question["kind"],
                explanation=question["explanation"],
                options=[
                    ReviewedOption(
                        text=option["text"],
                        verdict=option["verdict"],
                        feedback=option["feedback"],
                        chosen=option["id"] in chosen,
                    )
                    for option in question["options"]
                ],
                answered=bool(chosen),
                points=answer.effective_points if answer else 0,
                max_points=Decimal(question["points"]),
                overridden=bool(answer and answer.override_points is not None),
                question_id=question["id"],
                time_spent=answer.time_spent if answer else 0,
            )
        )
    return reviewed


# --- review ------------------------------------------------------------------------------


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
    search: str = ""
    sort: str = "-date"


SORTS = {
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
    if filters.quiz is not None:
        attempts = attempts.filter(quiz=filters.quiz)
    if filters.state:
        attempts = attempts.filter(state=filters.state)
    tz = timezone.get_current_timezone()
    if filters.started_from:
        start = datetime.combine(filters.started_from, time.min, tzinfo=tz)
        attempts = attempts.filter(started_at__gte=start)
    if filters.started_to:
        end = datetime.combine(filters.started_to + timedelta(days=1), time.min, tzinfo=tz)
        attempts = attempts.filter(started_at__lt=end)
    # A small tolerance so that 2 of 3 (66.666...%) is found by "up to 66.67%".
    if filters.percent_min is not None:
        attempts = attempts.filter(percent__gte=float(filters.percent_min) - 1e-9)
    if filters.percent_max is not None:
        attempts = attempts.filter(percent__lte=float(filters.percent_max) + 1e-9)
    if filters.invite is True:
        attempts = attempts.filter(invite__isnull=False)
    elif filters.invite is False:
        attempts = attempts.filter(invite__isnull=True)
    elif isinstance(filters.invite, int):
        attempts = attempts.filter(invite_id=filters.invite)
    if filters.search:
        # SQLite folds case for ASCII only, so "анна" would miss "Анна" there; searching the
        # usual spellings too covers it (PostgreSQL folds Cyrillic itself).
        match = Q()
        for variant in {filters.search, filters.search.lower(), filters.search.capitalize()}:
            match |= Q(candidate_name__icontains=variant) | Q(candidate_email__icontains=variant)
        attempts = attempts.filter(match)
    return attempts.order_by(*SORTS.get(filters.sort, SORTS["-date"]))


FINISHED = (Attempt.State.SUBMITTED, Attempt.State.CLOSED)


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


EXPORT_CHUNK_SIZE = 2000
EXPORT_DECODED_MAX = 20_000


def export_attempts(filters: AttemptFilters, *, chunk_size: int = EXPORT_CHUNK_SIZE):
    """The filtered attempts, each with {question id: (points, selected)}, chunk by chunk.

    The attempts come through a server-side cursor (PostgreSQL) in the list's order; each
    chunk's answers are read in one query as plain tuples, not model instances (3.9 million
    Answer objects were most of the export's time): memory bounded by the chunk.
    """
    attempts = review_attempts(filters).iterator(chunk_size=chunk_size)
    # The choices arrive as JSON text and are decoded once per distinct text (a question
    # has few distinct answers), not once per answer.
    decoded: dict[str, list[int]] = {}
    while chunk := list(islice(attempts, chunk_size)):
        answers: dict[int, dict] = {attempt.pk: {} for attempt in chunk}
        rows = (
            Answer.objects.filter(attempt_id__in=list(answers))
            .annotate(selected_text=Cast("selected", TextField()))
            .values_list("attempt_id", "question_id", "points", "override_points", "selected_text")
        )
        for attempt_id, question_id, points, override, text in rows:
            selected = decoded.get(text)
            if selected is None:
                if len(decoded) > EXPORT_DECODED_MAX:
                    decoded.clear()  # pathological variety: stay bounded
                selected = decoded[text] = json.loads(text) if text else []
            answers[attempt_id][question_id] = (
                override if override is not None else points,
                selected,
            )
        for attempt in chunk:
            yield attempt, answers[attempt.pk]


def quiz_revisions(quiz: Quiz) -> dict[int, dict]:
    """Revision id -> content of every revision of a quiz, newest first."""
    return dict(
        QuizRevision.objects.filter(quiz=quiz)
        .order_by("-created_at", "-id")
        .values_list("id", "content")
    )


# --- item statistics ----------------------------------------------------------------------


@dataclass
class StatisticsVersion:
    """Revisions asking the same questions (they may differ in wording or verdicts)."""

    revision_ids: list[int]
    newest: int
    attempts: int
    questions: int


def statistics_versions(quiz: Quiz, revisions: dict[int, dict]) -> list[StatisticsVersion]:
    """Finished attempts grouped by the set of questions they were asked, newest first.

    Item analysis assumes every attempt saw every question, so attempts are only analysed
    together when their revisions ask the same questions. A regrade or an edited text keeps
    the question ids and so stays in the same group; adding or removing a question does not.
    """
    counts = dict(
        Attempt.objects.filter(quiz=quiz, state__in=FINISHED)
        .values_list("revision_id")
        .annotate(n=Count("id"))
        .values_list("revision_id", "n")
    )
    versions: dict[frozenset, StatisticsVersion] = {}
    for revision_id, content in revisions.items():  # newest first
        attempts = counts.get(revision_id, 0)
        if not attempts:
            continue
        key = frozenset(question["id"] for question in content["questions"])
        if key not in versions:
            versions[key] = StatisticsVersion(
                revision_ids=[], newest=revision_id, attempts=0, questions=len(key)
            )
        versions[key].revision_ids.append(revision_id)
        versions[key].attempts += attempts
    return list(versions.values())


def _question_infos(content: dict) -> list[statistics.QuestionInfo]:
    return [
        statistics.QuestionInfo(
            id=question["id"],
            position=position,
            text=question["text"],
            max_mark=float(question["points"]),
            options=tuple(
                statistics.OptionInfo(
                    id=option["id"], label=option_label(index), verdict=option["verdict"]
                )
                for index, option in enumerate(question["options"])
            ),
        )
        for position, question in enumerate(content["questions"], start=1)
    ]


def _statistics_tables_sql(revision_count: int, question_count: int) -> tuple[str, str]:
    """The two aggregate queries of item_statistics (portable: PostgreSQL and SQLite)."""
    answer, attempt = Answer._meta.db_table, Attempt._meta.db_table
    revisions = ", ".join(["%s"] * revision_count)
    questions = ", ".join(["%s"] * question_count)
    scope = (
        f"FROM {answer} an JOIN {attempt} at ON at.id = an.attempt_id "
        f"WHERE at.quiz_id = %s AND at.state IN (%s, %s) AND at.revision_id IN ({revisions}) "
        f"AND an.question_id IN ({questions})"
    )
    mark = "COALESCE(an.override_points, an.points, 0)"
    # One row per (question, attempt total, mark, answers in the attempt) with its count:
    # a few thousand rows instead of millions. The answer count lets the attempt totals be
    # recovered too (an attempt appears once per answer it has).
    marks = (
        "SELECT question_id, total, mark, answered, COUNT(*) FROM ("
        f"SELECT an.question_id, {mark} AS mark, "
        f"SUM({mark}) OVER (PARTITION BY an.attempt_id) AS total, "
        "COUNT(*) OVER (PARTITION BY an.attempt_id) AS answered "
        f"{scope}) AS rows GROUP BY question_id, total, mark, answered"
    )
    selections = f"SELECT an.question_id, an.selected, COUNT(*) {scope} GROUP BY 1, 2"
    return marks, selections


def _selected_ids(value) -> tuple[int, ...]:
    # The database driver hands JSON back as text or already decoded, depending on backend.
    return tuple(json.loads(value) if isinstance(value, str | bytes) else value or ())


def item_statistics(
    quiz: Quiz, version: StatisticsVersion, content: dict
) -> statistics.QuizStatistics:
    """Moodle-style item analysis of one version's finished attempts.

    The database reduces the answers to small count tables (two queries, none returning
    a row per answer); the pure statistics module computes the report from them. Attempts
    with no saved answer at all still count, with every mark 0.
    """
    questions = _question_infos(content)
    if not questions:
        return statistics.quiz_statistics([], questions)
    question_ids = [question.id for question in questions]
    n = version.attempts  # counted by statistics_versions a moment ago
    marks_sql, selections_sql = _statistics_tables_sql(len(version.revision_ids), len(question_ids))
    params = [quiz.pk, *FINISHED, *version.revision_ids, *question_ids]
    joint: dict[int, list[tuple[float, float, int]]] = {qid: [] for qid in question_ids}
    answered_totals: Counter[float] = Counter()
    selections: dict[int, Counter[tuple[int, ...]]] = {qid: Counter() for qid in question_ids}
    with connection.cursor() as cursor:
        cursor.execute(marks_sql, params)
        for question_id, total, mark, answered, count in cursor.fetchall():
            # Subtract in the database's type (Decimal on PostgreSQL): exact rest marks.
            joint[question_id].append((float(total), float(mark), float(total - mark), count))
            answered_totals[float(total)] += count / answered
        cursor.execute(selections_sql, params)
        for question_id, selected, count in cursor.fetchall():
            selections[question_id][_selected_ids(selected)] += count
    # An attempt that finished between the queries is not in `n`: never count more than n.
    totals_table = Counter({total: round(count) for total, count in answered_totals.items()})
    totals_table[0.0] += max(0, n - sum(totals_table.values()))
    totals = list(chain.from_iterable(repeat(t, c) for t, c in totals_table.items()))
    mark_counts, rest_counts, selection_counts = [], [], []
    for question_id in question_ids:
        marks: Counter[float] = Counter()
        rest: Counter[float] = Counter()
        unanswered = totals_table.copy()  # attempts without this answer: mark 0, rest = total
        for total, mark, rest_mark, count in joint[question_id]:
            marks[mark] += count
            rest[rest_mark] += count
            unanswered[total] -= count
        missing = +unanswered
        marks[0.0] += sum(missing.values())
        rest.update(missing)
        picked = selections[question_id]
        picked[()] += max(0, len(totals) - sum(picked.values()))
        mark_counts.append(+marks)
        rest_counts.append(rest)
        selection_counts.append(+picked)
    return statistics.quiz_statistics_from_tables(
        questions,
        totals=totals,
        mark_counts=mark_counts,
        rest_counts=rest_counts,
        selection_counts=selection_counts,
    )


@dataclass
class StatisticsReport:
    versions: list[StatisticsVersion]
    version: StatisticsVersion
    content: dict  # the newest revision of the version: question texts and options
    stats: statistics.QuizStatistics


STATISTICS_CACHE_SECONDS = 300


def cached_once(key: str, compute, *, timeout: int, wait_seconds: float = 30.0):
    """The cached value for `key`, computed by one request while concurrent ones wait.

    Without this, every request that arrives while the statistics are cold computes them
    again (16 at once in the benchmark, none finishing in time). The lock is a cache key
    added atomically; a waiter whose computing request died computes the value itself.
    """
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:computing"
    if not cache.add(lock, True, timeout=int(wait_seconds)):
        deadline = monotonic() + wait_seconds
        while monotonic() < deadline and cache.get(lock) is not None:
            sleep(0.05)
            value = cache.get(key)
            if value is not None:
                return value
    try:
        value = compute()
        cache.set(key, value, timeout)
        return value
    finally:
        cache.delete(lock)


def statistics_report(quiz: Quiz, revision_id: int | None = None) -> StatisticsReport | None:
    """The item analysis of a quiz version (the newest by default); None without attempts.

    The page and its chart images need the same numbers, so the result is cached under a
    key that changes whenever an attempt finishes or a score changes (one cheap query).
    """
    revisions = quiz_revisions(quiz)
    versions = statistics_versions(quiz, revisions)
    if not versions:
        return None
    version = next((v for v in versions if revision_id in v.revision_ids), versions[0])
    signature = Attempt.objects.filter(
        quiz=quiz, state__in=FINISHED, revision_id__in=version.revision_ids
    ).aggregate(
        n=Count("id", distinct=True),
        last=Max("submitted_at"),
        change=Max("score_changes__id"),
    )
    key = "quizzes:statistics:{}:{}:{}:{}:{}".format(
        quiz.pk,
        version.newest,
        signature["n"],
        signature["last"].isoformat() if signature["last"] else "",
        signature["change"] or 0,
    )
    content = revisions[version.newest]
    stats = cached_once(
        key, lambda: item_statistics(quiz, version, content), timeout=STATISTICS_CACHE_SECONDS
    )
    return StatisticsReport(versions=versions, version=version, content=content, stats=stats)


# --- authoring ---------------------------------------------------------------------------


def parsed_quiz(quiz: Quiz) -> formats.ParsedQuiz:
    """The quiz as the format package sees it (drafts included), ready for formats.write."""
    questions = quiz.questions.prefetch_related("options").order_by("position", "id")
    return formats.ParsedQuiz(
        title=quiz.title,
        description=quiz.description,
        questions=[
            formats.ParsedQuestion(
                text=question.text,
                kind=question.kind,
                options=[
                    formats.ParsedOption(
                        text=option.text, verdict=option.verdict, feedback=option.feedback
                    )
                    for option in question.options.all()
                ],
                explanation=question.explanation,
                number=number,
                published=question.published,
            )
            for number, question in enumerate(questions, start=1)
        ],
    )


def _question_shape(question: formats.ParsedQuestion) -> tuple:
    """What services.import_quiz compares to decide whether a question changes."""
    return (
        question.text,
        question.kind,
        question.explanation,
        question.published,
        [(option.text, option.verdict, option.feedback) for option in question.options],
    )


@dataclass
class PlannedQuestion:
    number: int
    question: formats.ParsedQuestion
    # "new", "changed" or "unchanged" compared with the question at the same position.
    status: str


@dataclass
class ImportPlan:
    """What importing a parsed file into `slug` would do; nothing is written to find out."""

    slug: str
    existing: Quiz | None
    questions: list[PlannedQuestion] = field(default_factory=list)
    removed: list[Question] = field(default_factory=list)

    @property
    def creates_quiz(self) -> bool:
        return self.existing is None

    def count(self, status: str) -> int:
        return sum(planned.status == status for planned in self.questions)

    @property
    def added(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def import_plan(parsed: formats.ParsedQuiz, slug: str) -> ImportPlan:
    """Compare a parsed file with the quiz at `slug`, question by position, like the import."""
    existing = Quiz.objects.filter(slug=slug).first()
    plan = ImportPlan(slug=slug, existing=existing)
    current: list[Question] = []
    if existing is not None:
        current = list(existing.questions.prefetch_related("options").order_by("position", "id"))
    shapes = [
        (q.text, q.kind, q.explanation, q.published,
         [(o.text, o.verdict, o.feedback) for o in q.options.all()])
        for q in current
    ]  # fmt: skip
    for index, question in enumerate(parsed.questions):
        if index >= len(current):
            status = "new"
        elif _question_shape(question) == shapes[index]:
            status = "unchanged"
        else:
            status = "changed"
        plan.questions.append(PlannedQuestion(number=index + 1, question=question, status=status))
    plan.removed = current[len(parsed.questions) :]
    return plan


def invite_by_token(token: str) -> Invite | None:
    """The invite of a published quiz with this token, or None."""
    return Invite.objects.select_related("quiz").filter(token=token, quiz__published=True).first()


def invite_by_id(invite_id) -> Invite | None:
    if invite_id is None:
        return None
    return Invite.objects.select_related("quiz").filter(pk=invite_id, quiz__published=True).first()


def open_attempt_for_invite(invite: Invite) -> Attempt | None:
    return invite.attempts.filter(state=Attempt.State.IN_PROGRESS).first()


def attempts_of_invite(invite: Invite, *, public_ids) -> QuerySet[Attempt]:
    """The invite's attempts among the given public ids (this browser's), newest first."""
    return invite.attempts.filter(public_id__in=list(public_ids)).order_by("-started_at")
