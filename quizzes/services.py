"""Everything that writes: starting, saving and submitting attempts, importing, regrading.

Views call one service each. Services take keyword-only arguments, wrap multi-row
changes in one transaction, and lock the attempt row where two requests can race
(double submit, two tabs).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from slugify import slugify

from quizzes import grading, selectors
from quizzes.models import (
    Answer,
    Attempt,
    AttemptNote,
    Invite,
    Option,
    Question,
    Quiz,
    QuizRevision,
    ScoreChange,
)

if TYPE_CHECKING:
    from quizzes.formats import ParsedQuiz

# Answers that arrive this long after the deadline are still accepted: the network and the
# candidate's clock are not perfect, and the countdown auto-submits at zero.
DEADLINE_GRACE = timedelta(seconds=30)


class AttemptClosed(Exception):
    """The attempt no longer accepts answers (submitted, closed or past its deadline)."""


class InvalidAnswer(ValueError):
    """A forged or malformed answer: unknown question, option of another question, ..."""


class InviteUnavailable(Exception):
    """The invite cannot start an attempt: its reason is "expired" or "used_up"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CandidateDetailsNeeded(Exception):
    """The invite names no candidate: ask for a name and email before starting."""


# --- revisions ---------------------------------------------------------------------------


def build_revision_content(quiz: Quiz) -> dict:
    """The quiz's published content as plain JSON, in authoring order."""
    questions = (
        quiz.questions.filter(published=True).prefetch_related("options").order_by("position", "id")
    )
    return {
        "title": quiz.title,
        "description": quiz.description,
        "questions": [
            {
                "id": question.id,
                "text": question.text,
                "kind": question.kind,
                "explanation": question.explanation,
                "points": str(question.points),
                "partial_fraction": str(question.partial_fraction),
                "strategy": question.grading_strategy or quiz.grading_strategy,
                "options": [
                    {
                        "id": option.id,
                        "text": option.text,
                        "verdict": option.verdict,
                        "feedback": option.feedback,
                    }
                    for option in question.options.all()
                ],
            }
            for question in questions
        ],
    }


def content_hash(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def current_revision(quiz: Quiz) -> QuizRevision:
    """The revision matching the quiz's current content, created on first use."""
    content = build_revision_content(quiz)
    digest = content_hash(content)
    revision = QuizRevision.objects.filter(quiz=quiz, content_hash=digest).first()
    if revision is not None:
        return revision
    try:
        with transaction.atomic():
            return QuizRevision.objects.create(quiz=quiz, content=content, content_hash=digest)
    except IntegrityError:
        # Another candidate started the same new content at the same moment.
        return QuizRevision.objects.get(quiz=quiz, content_hash=digest)


def gradable_questions(content: dict) -> list[grading.GradableQuestion]:
    return [
        grading.GradableQuestion(
            id=question["id"],
            kind=grading.Kind(question["kind"]),
            options=tuple(
                grading.GradableOption(id=option["id"], verdict=grading.Verdict(option["verdict"]))
                for option in question["options"]
            ),
            points=Decimal(question["points"]),
            strategy=grading.Strategy(question["strategy"]),
            partial_fraction=Decimal(question["partial_fraction"]),
        )
        for question in content["questions"]
    ]


# --- attempts ----------------------------------------------------------------------------


def draw_layout(content: dict, *, shuffle_questions: bool, shuffle_options: bool, rng=None) -> dict:
    """Draw the order this attempt presents questions and options in; stored, never redrawn."""
    rng = rng or random.SystemRandom()
    question_ids = [question["id"] for question in content["questions"]]
    if shuffle_questions:
        rng.shuffle(question_ids)
    options = {}
    for question in content["questions"]:
        option_ids = [option["id"] for option in question["options"]]
        if shuffle_options:
            rng.shuffle(option_ids)
        options[str(question["id"])] = option_ids
    return {"questions": question_ids, "options": options}


def start_attempt(
    *, quiz: Quiz, candidate_name: str, candidate_email: str, invite=None, rng=None
) -> Attempt:
    """Create an attempt tied to the quiz's current revision, with its order and deadline."""
    revision = current_revision(quiz)
    now = timezone.now()
    max_score = sum((Decimal(q["points"]) for q in revision.content["questions"]), Decimal(0))
    return Attempt.objects.create(
        quiz=quiz,
        revision=revision,
        invite=invite,
        candidate_name=candidate_name,
        candidate_email=candidate_email,
        layout=draw_layout(
            revision.content,
            shuffle_questions=quiz.shuffle_questions,
            shuffle_options=quiz.shuffle_options,
            rng=rng,
        ),
        started_at=now,
        deadline=now + quiz.time_limit if quiz.time_limit else None,
        max_score=max_score,
    )


def validate_selections(
    content: dict, selections: Mapping[int, Iterable[int]]
) -> dict[int, list[int]]:
    """Check every question and option id against the revision; return clean selections."""
    options_by_question = {
        q["id"]: ({o["id"] for o in q["options"]}, q["kind"]) for q in content["questions"]
    }
    clean: dict[int, list[int]] = {}
    for question_id, option_ids in selections.items():
        if question_id not in options_by_question:
            raise InvalidAnswer(f"question {question_id} is not part of this attempt")
        allowed, kind = options_by_question[question_id]
        chosen = list(dict.fromkeys(option_ids))
        if len(chosen) != len(list(option_ids)):
            raise InvalidAnswer(f"an option is repeated in question {question_id}")
        unknown = [option_id for option_id in chosen if option_id not in allowed]
        if unknown:
            raise InvalidAnswer(f"option {unknown[0]} does not belong to question {question_id}")
        if kind == grading.Kind.SINGLE and len(chosen) > 1:
            raise InvalidAnswer(f"question {question_id} takes one option")
        clean[question_id] = sorted(chosen)
    return clean


def accepts_answers(attempt: Attempt, now=None) -> bool:
    now = now or timezone.now()
    if attempt.state != Attempt.State.IN_PROGRESS:
        return False
    return attempt.deadline is None or now <= attempt.deadline + DEADLINE_GRACE


def _store_selections(attempt: Attempt, selections: Mapping[int, list[int]], now) -> None:
    existing = {answer.question_id: answer for answer in attempt.answers.all()}
    to_create, to_update = [], []
    for question_id, option_ids in selections.items():
        answer = existing.get(question_id)
        if answer is None:
            to_create.append(
                Answer(attempt=attempt, question_id=question_id, selected=option_ids, saved_at=now)
            )
        elif answer.selected != option_ids:
            answer.selected = option_ids
            answer.saved_at = now
            to_update.append(answer)
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(to_update, ["selected", "saved_at"])


# Upper bounds for one report of integrity signals: a browser reports every few seconds,
# so anything larger is forged or broken and must not distort the counters.
MAX_SIGNAL_EVENTS = 1000
MAX_SECONDS_PER_REPORT = 3600


@dataclass(frozen=True)
class Signals:
    """Integrity signals observed by the page since its last report (deltas, not totals)."""

    focus_lost: int = 0
    hidden: int = 0
    copies: int = 0
    pastes: int = 0
    # {question id: seconds spent on it}
    time_spent: Mapping[int, int] = field(default_factory=dict)


def _record_signals(attempt: Attempt, signals: Signals, now) -> None:
    def clamp(value: int, limit: int) -> int:
        return max(0, min(int(value), limit))

    counters = {
        "focus_lost_count": clamp(signals.focus_lost, MAX_SIGNAL_EVENTS),
        "hidden_count": clamp(signals.hidden, MAX_SIGNAL_EVENTS),
        "copy_count": clamp(signals.copies, MAX_SIGNAL_EVENTS),
        "paste_count": clamp(signals.pastes, MAX_SIGNAL_EVENTS),
    }
    increments = {name: models.F(name) + value for name, value in counters.items() if value}
    if increments:
        Attempt.objects.filter(pk=attempt.pk).update(**increments)
    known = {question["id"] for question in attempt.revision.content["questions"]}
    seconds = {
        int(question_id): clamp(value, MAX_SECONDS_PER_REPORT)
        for question_id, value in signals.time_spent.items()
        if int(question_id) in known and clamp(value, MAX_SECONDS_PER_REPORT)
    }
    if not seconds:
        return
    existing = set(
        attempt.answers.filter(question_id__in=seconds).values_list("question_id", flat=True)
    )
    # Time spent on a question not answered yet still counts: keep it on an empty answer.
    Answer.objects.bulk_create(
        Answer(attempt=attempt, question_id=question_id, selected=[], saved_at=now)
        for question_id in seconds
        if question_id not in existing
    )
    # One UPDATE for all reported questions (was one per question).
    added = models.Case(
        *(
            models.When(question_id=question_id, then=value)
            for question_id, value in seconds.items()
        ),
        default=0,
        output_field=models.IntegerField(),
    )
    attempt.answers.filter(question_id__in=seconds).update(
        time_spent=models.F("time_spent") + added
    )


@transaction.atomic
def save_answers(
    *,
    attempt_id: int,
    selections: Mapping[int, Iterable[int]],
    seq: int | None = None,
    signals: Signals | None = None,
) -> bool:
    """Store the candidate's current choices; False when the save is stale.

    `seq` is the client's save counter: a save whose number is not higher than the last
    accepted one arrived out of order and is dropped, so the newest state always wins.
    Integrity signals are deltas and are counted even when the answers are stale.
    Raises AttemptClosed when the attempt no longer accepts answers.
    """
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision")
        .get(pk=attempt_id)
    )
    now = timezone.now()
    if not accepts_answers(attempt, now):
        raise AttemptClosed
    clean = validate_selections(attempt.revision.content, selections)
    if signals is not None:
        _record_signals(attempt, signals, now)
    if seq is not None:
        if seq <= attempt.save_seq:
            return False
        Attempt.objects.filter(pk=attempt.pk).update(save_seq=seq)
    _store_selections(attempt, clean, now)
    return True


def _grade_and_store(attempt: Attempt) -> grading.AttemptGrade:
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    result = grading.grade_attempt(
        gradable_questions(attempt.revision.content),
        {question_id: answer.selected for question_id, answer in answers.items()},
    )
    to_update = []
    for question_grade in result.questions:
        answer = answers.get(question_grade.question_id)
        if answer is None:
            continue
        answer.fraction = Decimal(question_grade.fraction.numerator) / Decimal(
            question_grade.fraction.denominator
        )
        answer.fraction = answer.fraction.quantize(Decimal("0.000001"))
        answer.points = question_grade.points
        to_update.append(answer)
    _store_grades(to_update)
    return result


def _store_grades(answers: list[Answer]) -> None:
    """Write the answers' fraction and points in one UPDATE ... FROM (VALUES ...).

    bulk_update builds a CASE WHEN per row and field; for 40 answers resolving those
    expressions was a third of a submit's CPU (bench/README.md). PostgreSQL and SQLite
    (3.33+) both take UPDATE ... FROM, and name a VALUES list's columns column1, column2...
    """
    if not answers:
        return
    if connection.vendor not in {"postgresql", "sqlite"}:
        Answer.objects.bulk_update(answers, ["fraction", "points"])
        return
    fraction = Answer._meta.get_field("fraction")
    points = Answer._meta.get_field("points")
    cast = "::numeric" if connection.vendor == "postgresql" else ""
    table = connection.ops.quote_name(Answer._meta.db_table)
    params = []
    for answer in answers:
        params += [
            answer.pk,
            fraction.get_db_prep_save(answer.fraction, connection),
            points.get_db_prep_save(answer.points, connection),
        ]
    values = ", ".join(["(%s, %s, %s)"] * len(answers))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET fraction = v.column2{cast}, points = v.column3{cast} "
            f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
            params,
        )


def final_score(result: grading.AttemptGrade, answers: Iterable[Answer]) -> Decimal:
    """The graded total with recruiters' per-question overrides replacing computed points."""
    computed = {question.question_id: question.points for question in result.questions}
    return result.score + sum(
        (
            answer.override_points - computed[answer.question_id]
            for answer in answers
            if answer.override_points is not None and answer.question_id in computed
        ),
        Decimal(0),
    )


@dataclass
class SubmitOutcome:
    attempt: Attempt
    # False when this request found the attempt already finished (double submit, second tab).
    graded_now: bool
    timed_out: bool = False


@transaction.atomic
def submit_attempt(
    *, attempt_id: int, selections: Mapping[int, Iterable[int]] | None = None
) -> SubmitOutcome:
    """Finalize and grade an attempt exactly once.

    The row lock makes concurrent submits queue up; whoever comes second sees the state
    already changed and gets the stored result. Answers that arrive past the deadline
    grace are ignored and the attempt is closed with what was saved before.
    """
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision", "quiz")
        .get(pk=attempt_id)
    )
    if attempt.state != Attempt.State.IN_PROGRESS:
        return SubmitOutcome(attempt=attempt, graded_now=False)
    now = timezone.now()
    timed_out = not accepts_answers(attempt, now)
    if selections is not None and not timed_out:
        _store_selections(attempt, validate_selections(attempt.revision.content, selections), now)
    result = _grade_and_store(attempt)
    attempt.state = Attempt.State.CLOSED if timed_out else Attempt.State.SUBMITTED
    attempt.submitted_at = min(now, attempt.deadline + DEADLINE_GRACE) if timed_out else now
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.save(update_fields=["state", "submitted_at", "score", "max_score"])
    return SubmitOutcome(attempt=attempt, graded_now=True, timed_out=timed_out)


def overdue_attempt_ids(*, now=None) -> list[int]:
    """Open attempts whose deadline plus grace has passed, oldest deadline first."""
    now = now or timezone.now()
    return list(
        Attempt.objects.filter(state=Attempt.State.IN_PROGRESS, deadline__lt=now - DEADLINE_GRACE)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )


def close_overdue_attempts(*, now=None, on_closed=None) -> int:
    """Finalize attempts whose deadline (plus grace) passed; safe to run concurrently.

    Each attempt is closed in its own transaction under its row lock, so two runs (or a
    run racing a candidate's late submit) finalize every attempt exactly once.
    `on_closed(attempt)` is called for each attempt this run closed.
    """
    closed = 0
    for attempt_id in overdue_attempt_ids(now=now):
        outcome = submit_attempt(attempt_id=attempt_id)
        if outcome.graded_now:
            closed += 1
            if on_closed is not None:
                on_closed(outcome.attempt)
    return closed


def close_if_overdue(*, attempt: Attempt) -> bool:
    """Finalize this open attempt if its time is up; True when it is (now) finished."""
    if attempt.is_open and accepts_answers(attempt):
        return False
    if attempt.is_open:
        submit_attempt(attempt_id=attempt.pk)
    return True


# --- invites -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteEntry:
    name: str
    email: str


@transaction.atomic
def create_invites(
    *,
    quiz: Quiz,
    entries: Iterable[InviteEntry],
    max_uses: int = 1,
    expires_at=None,
    created_by=None,
) -> list[Invite]:
    """Create one invite per entry, each with its own unguessable token."""
    invites = [
        Invite(
            quiz=quiz,
            candidate_name=entry.name,
            candidate_email=entry.email,
            max_uses=max_uses,
            expires_at=expires_at,
            created_by=created_by,
        )
        for entry in entries
    ]
    for invite in invites:
        invite.save()
    return invites


def redeem_invite(
    *, invite_id: int, candidate_name: str = "", candidate_email: str = "", rng=None
) -> Attempt:
    """Resume the invite's open attempt, or start one if the invite still has a use left.

    The invite's own name and email win over what the candidate typed. Raises
    Invite.DoesNotExist, InviteUnavailable, or CandidateDetailsNeeded (the invite names
    nobody and no details were given).
    """
    kwargs = {
        "invite_id": invite_id,
        "candidate_name": candidate_name,
        "candidate_email": candidate_email,
        "rng": rng,
    }
    try:
        return _redeem_invite(**kwargs)
    except IntegrityError:
        # Two first clicks raced past the lock (SQLite has no row locks): the other one
        # created the open attempt, which the retry resumes.
        return _redeem_invite(**kwargs)


@transaction.atomic
def _redeem_invite(*, invite_id: int, candidate_name: str, candidate_email: str, rng) -> Attempt:
    invite = (
        Invite.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .get(pk=invite_id, quiz__published=True)
    )
    open_attempt = selectors.open_attempt_for_invite(invite)
    if open_attempt is not None:
        return open_attempt
    reason = invite.unavailable_reason()
    if reason:
        raise InviteUnavailable(reason)
    name = invite.candidate_name or candidate_name.strip()
    email = invite.candidate_email or candidate_email.strip()
    if not (name and email):
        raise CandidateDetailsNeeded
    attempt = start_attempt(
        quiz=invite.quiz, candidate_name=name, candidate_email=email, invite=invite, rng=rng
    )
    Invite.objects.filter(pk=invite.pk).update(uses=models.F("uses") + 1)
    return attempt


# --- import ------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    quiz: Quiz
    created: bool
    questions_created: int = 0
    questions_updated: int = 0
    questions_deleted: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(
            self.questions_created or self.questions_updated or self.questions_deleted
        )


def _assign(instance, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


# Positions are unique per parent (a database constraint), so renumbering goes through a
# range no real position uses, instead of swapping two rows into each other's place.
_POSITION_PARKING = 1_000_000


def park_positions(model, pks: Iterable[int]) -> None:
    """Move rows out of the 1..n range, so their siblings can take any position."""
    model.objects.filter(pk__in=list(pks)).update(position=models.F("position") + _POSITION_PARKING)


def renumber(rows: list, model) -> None:
    """Give `rows` (siblings, in the wanted order) positions 1..n without breaking uniqueness."""
    if [row.position for row in rows] == list(range(1, len(rows) + 1)):
        return
    park_positions(model, [row.pk for row in rows])
    for index, row in enumerate(rows, start=1):
        row.position = index
    model.objects.bulk_update(rows, ["position"])


def quiz_slug(title: str) -> str:
    return slugify(title, max_length=200, word_boundary=True) or "quiz"


@transaction.atomic
def import_quiz(
    *, parsed: ParsedQuiz, slug: str | None = None, publish: bool = True
) -> ImportSummary:
    """Create or update a quiz from parsed content, in place and idempotently.

    Questions and options are matched by position, so their ids (which attempts and
    regrades refer to) survive a re-import. Rows are written only when something
    differs: importing the same file twice changes nothing. Attempts are never deleted;
    they keep their own revision of the content.
    """
    slug = slug or quiz_slug(parsed.title)
    quiz = Quiz.objects.filter(slug=slug).first()
    created = quiz is None
    if created:
        quiz = Quiz.objects.create(
            slug=slug, title=parsed.title, description=parsed.description, published=publish
        )
    elif _assign(quiz, {"title": parsed.title, "description": parsed.description}):
        quiz.save()
    summary = ImportSummary(quiz=quiz, created=created)

    existing = list(quiz.questions.prefetch_related("options").order_by("position", "id"))
    renumber(existing, Question)
    # Collected and written in bulk: a constant number of queries however many questions
    # the file has (one row at a time capped a corpus import at a few hundred questions/s).
    writes = _ImportWrites()
    new_questions: list[tuple[Question, list]] = []
    for index, parsed_question in enumerate(parsed.questions):
        values = {
            "position": index + 1,
            "text": parsed_question.text,
            "kind": parsed_question.kind,
            "explanation": parsed_question.explanation,
            "published": parsed_question.published,
        }
        if index >= len(existing):
            # Positions after the existing (renumbered 1..n) ones: free, so no parking.
            new_questions.append((Question(quiz=quiz, **values), parsed_question.options))
            continue
        question = existing[index]
        question_changed = _assign(question, values)
        if question_changed:
            writes.questions.append(question)
        options_changed = _plan_options(
            question, list(question.options.all()), parsed_question.options, writes
        )
        if question_changed or options_changed:
            summary.questions_updated += 1
            summary.changes.append(f"question {index + 1} updated")
    if writes.questions:
        # Matched rows keep their renumbered position, so it needs no write.
        Question.objects.bulk_update(
            writes.questions, ["text", "kind", "explanation", "published"], batch_size=500
        )
    if new_questions:
        # bulk_create sets the primary keys on PostgreSQL and SQLite >= 3.35.
        Question.objects.bulk_create([question for question, _ in new_questions], batch_size=500)
        summary.questions_created = len(new_questions)
        for question, parsed_options in new_questions:
            _plan_options(question, [], parsed_options, writes)
    if writes.stale_options:
        Option.objects.filter(pk__in=writes.stale_options).delete()
    if writes.options:
        Option.objects.bulk_update(writes.options, ["text", "verdict", "feedback"], batch_size=500)
    if writes.new_options:
        Option.objects.bulk_create(writes.new_options, batch_size=1000)
    stale = existing[len(parsed.questions) :]
    if stale:
        Question.objects.filter(pk__in=[question.pk for question in stale]).delete()
        summary.questions_deleted = len(stale)
    return summary


@dataclass
class _ImportWrites:
    """Rows an import changes, written together at the end."""

    questions: list[Question] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    new_options: list[Option] = field(default_factory=list)
    stale_options: list[int] = field(default_factory=list)


def _plan_options(question: Question, existing: list[Option], parsed_options, writes) -> bool:
    """Match a question's options by position; record what differs. True if anything does."""
    changed = False
    renumber(existing, Option)
    for index, parsed_option in enumerate(parsed_options):
        values = {
            "position": index + 1,
            "text": parsed_option.text,
            "verdict": parsed_option.verdict,
            "feedback": parsed_option.feedback,
        }
        if index < len(existing):
            if _assign(existing[index], values):
                writes.options.append(existing[index])
                changed = True
        else:
            # Positions after the existing (renumbered 1..m) options are free.
            writes.new_options.append(Option(question=question, **values))
            changed = True
    stale = existing[len(parsed_options) :]
    if stale:
        writes.stale_options.extend(option.pk for option in stale)
        changed = True
    return changed


# --- authoring ---------------------------------------------------------------------------


def next_position(model, **parent) -> int:
    """The position after the last sibling: new rows go to the end without typing a number."""
    last = model.objects.filter(**parent).aggregate(last=models.Max("position"))["last"]
    return (last or 0) + 1


def _free_slug(base: str) -> str:
    base = base[:190]
    taken = set(Quiz.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def duplicate_quiz(*, quiz: Quiz) -> Quiz:
    """Copy a quiz with its questions and options, unpublished, under a new "-copy" slug.

    Attempts, invites and revisions stay with the original: the copy starts clean.
    """
    copy = Quiz.objects.get(pk=quiz.pk)
    copy.pk = None
    copy.slug = _free_slug(f"{quiz.slug}-copy")
    copy.published = False
    copy.save()
    questions = list(quiz.questions.prefetch_related("options").order_by("position", "id"))
    originals = [list(question.options.all()) for question in questions]
    for question in questions:
        question.pk = None
        question.quiz = copy
    Question.objects.bulk_create(questions)
    options = []
    for question, question_options in zip(questions, originals, strict=True):
        for option in question_options:
            option.pk = None
            option.question = question
            options.append(option)
    Option.objects.bulk_create(options)
    return copy


def set_quizzes_published(*, quizzes: Iterable[Quiz], published: bool) -> int:
    """Publish or unpublish quizzes; returns how many changed."""
    return (
        Quiz.objects.filter(pk__in=[quiz.pk for quiz in quizzes])
        .exclude(published=published)
        .update(published=published, updated_at=timezone.now())
    )


# --- regrade -----------------------------------------------------------------------------


@dataclass
class RegradeChange:
    attempt: Attempt
    old_score: Decimal | None
    new_score: Decimal


@dataclass
class RegradeReport:
    changes: list[RegradeChange] = field(default_factory=list)
    unchanged: int = 0
    # (attempt, reason) for attempts whose questions changed shape: listed, never guessed.
    skipped: list[tuple[Attempt, str]] = field(default_factory=list)


def _regraded_content(content: dict, current: dict[int, Question]) -> tuple[dict | None, str]:
    """The attempt's revision with today's verdicts, or None and why it cannot be regraded."""
    questions = []
    for question in content["questions"]:
        live = current.get(question["id"])
        if live is None:
            return None, f"question {question['id']} was deleted"
        live_options = {option.id: option for option in live.options.all()}
        if set(live_options) != {option["id"] for option in question["options"]}:
            return None, f"options of question {question['id']} were added or removed"
        if live.kind != question["kind"]:
            return None, f"question {question['id']} changed between single and multiple choice"
        questions.append(
            {
                **question,
                "options": [
                    {**option, "verdict": live_options[option["id"]].verdict}
                    for option in question["options"]
                ],
            }
        )
    return {**content, "questions": questions}, ""


def regrade_quiz_attempts(*, quiz: Quiz, dry_run: bool, user=None) -> RegradeReport:
    """Regrade finished attempts with the current verdicts of the same options.

    Options are matched by id (stable identity), never by position. A real run moves each
    changed attempt to a revision carrying the new verdicts and records a ScoreChange.
    """
    report = RegradeReport()
    current = {q.id: q for q in quiz.questions.prefetch_related("options")}
    attempts = (
        quiz.attempts.exclude(state=Attempt.State.IN_PROGRESS)
        .select_related("revision")
        .prefetch_related("answers")
        .order_by("started_at", "id")
    )
    for attempt in attempts:
        content, reason = _regraded_content(attempt.revision.content, current)
        if content is None:
            report.skipped.append((attempt, reason))
            continue
        selections = {answer.question_id: answer.selected for answer in attempt.answers.all()}
        result = grading.grade_attempt(gradable_questions(content), selections)
        new_score = final_score(result, attempt.answers.all())
        if new_score == attempt.score and content == attempt.revision.content:
            report.unchanged += 1
            continue
        report.changes.append(
            RegradeChange(attempt=attempt, old_score=attempt.score, new_score=new_score)
        )
        if not dry_run:
            _apply_regrade(attempt, content, new_score, user)
    return report


@transaction.atomic
def _apply_regrade(attempt: Attempt, content: dict, new_score: Decimal, user) -> None:
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision")
        .get(pk=attempt.pk)
    )
    revision, _ = QuizRevision.objects.get_or_create(
        quiz_id=attempt.quiz_id, content_hash=content_hash(content), defaults={"content": content}
    )
    old_score = attempt.score
    attempt.revision = revision
    result = _grade_and_store(attempt)
    attempt.score = final_score(result, attempt.answers.all())
    attempt.save(update_fields=["revision", "score"])
    ScoreChange.objects.create(
        attempt=attempt,
        kind=ScoreChange.Kind.REGRADE,
        old_score=old_score,
        new_score=attempt.score,
        changed_by=user,
        reason="regrade with current verdicts",
    )


# --- review ------------------------------------------------------------------------------


class ReviewError(ValueError):
    """A recruiter's change that cannot be applied; the message is shown to the user."""


@transaction.atomic
def add_attempt_note(*, attempt: Attempt, author, text: str) -> AttemptNote:
    """Attach a recruiter's note to an attempt."""
    text = text.strip()
    if not text:
        raise ReviewError(_("A note cannot be empty."))
    return AttemptNote.objects.create(attempt=attempt, author=author, text=text)


@transaction.atomic
def rate_attempt(*, attempt: Attempt, rating: int | None, user) -> Attempt:
    """Set (or clear, with None) the recruiter's 1-5 rating of an attempt."""
    if rating is not None and not 1 <= rating <= 5:
        raise ReviewError(_("The rating must be between 1 and 5."))
    Attempt.objects.filter(pk=attempt.pk).update(rating=rating)
    attempt.rating = rating
    return attempt


@transaction.atomic
def override_question_score(
    *, attempt: Attempt, question_id: int, points: Decimal, reason: str, user
) -> ScoreChange:
    """Replace one question's computed points with a recruiter's, audited.

    The attempt row is locked so two recruiters overriding at once both land in the
    history and the total reflects both. The total is recomputed from the revision (not
    adjusted by a difference), so it always equals grading plus the current overrides.
    """
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Give a reason for the override."))
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision")
        .get(pk=attempt.pk)
    )
    if attempt.state == Attempt.State.IN_PROGRESS:
        raise ReviewError(_("The attempt is still in progress; override it after it ends."))
    content = attempt.revision.content
    question = next((q for q in content["questions"] if q["id"] == question_id), None)
    if question is None:
        raise ReviewError(_("This question is not part of the attempt."))
    max_points = Decimal(question["points"])
    if points is None or not Decimal(0) <= points <= max_points:
        raise ReviewError(
            _("Points must be between 0 and %(max)s.") % {"max": f"{max_points.normalize():f}"}
        )
    answer, _created = Answer.objects.get_or_create(
        attempt=attempt, question_id=question_id, defaults={"selected": [], "points": Decimal(0)}
    )
    answer.override_points = points
    answer.save(update_fields=["override_points"])
    answers = list(attempt.answers.all())
    result = grading.grade_attempt(
        gradable_questions(content), {answer.question_id: answer.selected for answer in answers}
    )
    old_score = attempt.score
    attempt.score = final_score(result, answers)
    attempt.save(update_fields=["score"])
    return ScoreChange.objects.create(
        attempt=attempt,
        kind=ScoreChange.Kind.OVERRIDE,
        question_id=question_id,
        old_score=old_score,
        new_score=attempt.score,
        reason=reason,
        changed_by=user,
    )
