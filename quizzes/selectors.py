"""Reads that shape stored data for pages: what an attempt presents, and how it went."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from quizzes import formats, statistics
from quizzes.exports import option_label
from quizzes.models import Answer, Attempt, Invite, Question, Quiz, QuizRevision


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
    "score": (F("percent").asc(nulls_first=True), "id"),
    "-score": (F("percent").desc(nulls_last=True), "-id"),
    "duration": (F("elapsed").asc(nulls_last=True), "id"),
    "-duration": (F("elapsed").desc(nulls_last=True), "-id"),
}


def _percent_expression():
    # Floats: SQLite keeps whole decimals as integers and would divide them as integers.
    # NULL while ungraded or when a quiz has no points, so such rows never match a range.
    return Case(
        When(
            max_score__gt=0,
            score__isnull=False,
            then=Cast("score", FloatField()) * Value(100.0) / Cast("max_score", FloatField()),
        ),
        default=None,
        output_field=FloatField(),
    )


def review_attempts(filters: AttemptFilters) -> QuerySet[Attempt]:
    """Attempts matching a recruiter's filters, annotated with percent and duration."""
    attempts = Attempt.objects.select_related("quiz", "invite").annotate(
        percent=_percent_expression(),
        elapsed=ExpressionWrapper(
            F("submitted_at") - F("started_at"), output_field=DurationField()
        ),
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


def export_attempts(filters: AttemptFilters, *, chunk_size: int = EXPORT_CHUNK_SIZE):
    """The filtered attempts with their answers, fetched chunk by chunk (never all at once).

    With iterator(chunk_size=...) PostgreSQL streams through a server-side cursor and the
    answers are prefetched per chunk: two queries per chunk, memory bounded by the chunk.
    """
    return review_attempts(filters).prefetch_related("answers").iterator(chunk_size=chunk_size)


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


def item_statistics(
    quiz: Quiz, version: StatisticsVersion, content: dict
) -> statistics.QuizStatistics:
    """Moodle-style item analysis of one version's finished attempts.

    Two queries: the attempt ids, then the answers streamed in attempt order as plain
    tuples (no model instances) and fed to the pure statistics module in one pass.
    Attempts with no saved answer at all still count, with every mark 0.
    """
    finished = Attempt.objects.filter(
        quiz=quiz, state__in=FINISHED, revision_id__in=version.revision_ids
    )
    attempt_ids = list(finished.order_by("id").values_list("id", flat=True))
    rows = iter(
        Answer.objects.filter(attempt__in=finished)
        .order_by("attempt_id", "id")
        .values_list("attempt_id", "question_id", "points", "override_points", "selected")
        .iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
    questions = _question_infos(content)
    max_marks = {question.id: question.max_mark for question in questions}

    def attempts():
        pending = next(rows, None)
        for attempt_id in attempt_ids:
            responses = []
            # An attempt that finished between the two queries has answers but no id here.
            while pending is not None and pending[0] < attempt_id:
                pending = next(rows, None)
            while pending is not None and pending[0] == attempt_id:
                _, question_id, points, override, selected = pending
                if question_id in max_marks:
                    mark = override if override is not None else points
                    responses.append(
                        statistics.ItemResponse(
                            question_id=question_id,
                            mark=float(mark or 0),
                            max_mark=max_marks[question_id],
                            selected=tuple(selected),
                        )
                    )
                pending = next(rows, None)
            yield responses

    return statistics.quiz_statistics(attempts(), questions)


@dataclass
class StatisticsReport:
    versions: list[StatisticsVersion]
    version: StatisticsVersion
    content: dict  # the newest revision of the version: question texts and options
    stats: statistics.QuizStatistics


STATISTICS_CACHE_SECONDS = 300


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
    stats = cache.get(key)
    if stats is None:
        stats = item_statistics(quiz, version, content)
        cache.set(key, stats, STATISTICS_CACHE_SECONDS)
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
