"""Candidate reads: public quizzes, invites, and the questions an attempt presents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from quizzes import content
from quizzes.models import DEADLINE_GRACE, INVITE_TOKEN_SHAPE, Attempt, Invite, Quiz, Section
from quizzes.selectors.attempt_state import with_saved_answers


def presented_question_count():
    """How many questions an attempt gets, as a Quiz annotation: its own published questions
    plus what its sections draw."""
    drawn = (
        Section.objects.filter(quiz=OuterRef("pk"), bank__isnull=False)
        .values("quiz")
        .annotate(total=Sum("draw_count"))
        .values("total")
    )
    return Count("questions", filter=Q(questions__published=True)) + Coalesce(
        Subquery(drawn, output_field=IntegerField()), 0
    )


def public_quizzes(*, open_at: datetime | None = None, counted: bool = True) -> QuerySet[Quiz]:
    """Published public quizzes; with `open_at`, only those not closed at that moment.

    `counted` annotates each with its `question_count`; the count costs more CPU than the
    rest of the query, so a request that shows no count goes without.
    """
    quizzes = Quiz.objects.filter(published=True, access=Quiz.Access.PUBLIC)
    if open_at is not None:
        quizzes = quizzes.exclude(closes_at__lte=open_at)
    if counted:
        quizzes = quizzes.annotate(question_count=presented_question_count())
    return quizzes.order_by("title")


def presented_questions(attempt: Attempt) -> list[content.PresentedQuestion]:
    """The attempt's questions from its revision, in the order drawn for it, numbered."""
    return content.presented_questions(attempt.revision.content, attempt.layout)


def attempt_for_page(public_id: str) -> Attempt | None:
    """An attempt as its page needs it, with its saved answers, in one query.

    Only the columns the page reads: never the revision's content, which the page's cached
    markup already holds (quizzes/views/attempt_page.py).
    """
    attempts = Attempt.objects.select_related("quiz", "revision").only(
        "public_id",
        "state",
        "deadline",
        "save_seq",
        "token_key",
        "layout",
        "quiz__navigation",
        "revision__content_hash",
        "revision__html_version",
    )
    return with_saved_answers(attempts).filter(public_id=public_id).first()


def saved_choices(attempt: Attempt) -> dict[int, list[int]]:
    """The options saved so far per question id (an empty list: answered, then cleared)."""
    return dict(attempt.answers.values_list("question_id", "selected"))


def question_count(quiz: Quiz) -> int:
    """How many questions an attempt started now gets (the published ones and the draws)."""
    counted = Quiz.objects.filter(pk=quiz.pk).annotate(n=presented_question_count())
    return counted.values_list("n", flat=True).get()


@dataclass(frozen=True)
class OpenAttempt:
    """An attempt this browser can go back to, for the offer to resume it."""

    attempt: Attempt
    # None without a time limit or a close date.
    time_left: timedelta | None


def open_attempts_of_browser(
    *, public_ids: Iterable[str], browser: str, now: datetime, quiz: Quiz | None = None
) -> list[OpenAttempt]:
    """This browser's attempts in progress with time left (of `quiz`), newest first.

    The browser's attempts are the ones its session remembers and the ones started under
    its id cookie (`browser`, the hash): the same ones a new start would resume
    (selectors.admission.Candidate.owns). No query when the browser names none.
    """
    public_ids = list(public_ids)
    if not public_ids and not browser:
        return []
    mine = Q(public_id__in=public_ids)
    if browser:
        mine |= Q(browser=browser)
    attempts = Attempt.objects.filter(mine, state=Attempt.State.IN_PROGRESS).filter(
        Q(deadline__isnull=True) | Q(deadline__gt=now)
    )
    if quiz is not None:
        attempts = attempts.filter(quiz=quiz)
    found = attempts.only("public_id", "quiz_id", "started_at", "deadline").order_by(
        "-started_at", "-pk"
    )[:20]
    return [
        OpenAttempt(
            attempt=attempt,
            time_left=None if attempt.deadline is None else attempt.deadline - now,
        )
        for attempt in found
    ]


def invite_by_token(token: str) -> Invite | None:
    """The invite of a published quiz with this token, or None."""
    if not INVITE_TOKEN_SHAPE.fullmatch(token):
        # Never a token (a NUL byte would even make PostgreSQL refuse the query).
        return None
    return Invite.objects.select_related("quiz").filter(token=token, quiz__published=True).first()


def invite_by_id(invite_id: int | None) -> Invite | None:
    if invite_id is None:
        return None
    return Invite.objects.select_related("quiz").filter(pk=invite_id, quiz__published=True).first()


def open_attempt_for_invite(invite: Invite) -> Attempt | None:
    return invite.attempts.filter(state=Attempt.State.IN_PROGRESS).first()


def resumable_attempt(
    invite: Invite, *, public_ids: Iterable[str], browser: str = ""
) -> Attempt | None:
    """The open attempt the invite link leads this browser back to, or None.

    A personal invite's attempt resumes on any device (the link is the candidate's own);
    a shared invite's only in the browser that started it: one its session remembers
    (`public_ids`) or one started under its id cookie (`browser`, the hash).
    """
    attempts = invite.attempts.filter(state=Attempt.State.IN_PROGRESS)
    if not invite.is_personal:
        mine = Q(public_id__in=list(public_ids))
        if browser:
            mine |= Q(browser=browser)
        attempts = attempts.filter(mine)
    return attempts.order_by("-started_at", "-pk").first()


def attempts_of_invite(invite: Invite, *, public_ids: Iterable[str]) -> QuerySet[Attempt]:
    """The invite's attempts among the given public ids (this browser's), newest first."""
    return invite.attempts.filter(public_id__in=list(public_ids)).order_by("-started_at")


def finished_attempts_of_quiz(quiz: Quiz, *, public_ids: Iterable[str]) -> QuerySet[Attempt]:
    """The quiz's finished attempts among the given public ids (this browser's), newest first."""
    return (
        quiz.attempts.filter(public_id__in=list(public_ids))
        .exclude(state=Attempt.State.IN_PROGRESS)
        .order_by("-started_at", "-pk")
    )


def latest_finished_attempt(quiz: Quiz, public_ids: Iterable[str]) -> Attempt | None:
    """This browser's most recent finished attempt of the quiz, for a link to its result."""
    return finished_attempts_of_quiz(quiz, public_ids=public_ids).first()


@dataclass(frozen=True)
class QuizRules:
    """What the quiz's start page tells a candidate before the clock starts."""

    question_count: int
    # None: as many attempts as the candidate likes.
    attempts_allowed: int | None
    # What the candidate sees right after submitting.
    review_now: Quiz.ReviewPolicy
    # What the close brings, when the quiz has a close date and that is something else.
    review_after_close: Quiz.ReviewPolicy | None


def quiz_rules(quiz: Quiz, *, now: datetime, invite: Invite | None = None) -> QuizRules:
    """The rules; the question count annotated by public_quizzes(), or counted here.

    A personal invite's uses bound the attempts too: a quiz with unlimited attempts behind
    a one-use link still allows its candidate one.
    """
    count = getattr(quiz, "question_count", None)
    if count is None:
        count = question_count(quiz)
    review_now = quiz.review_shown(now)
    after_close = None
    if quiz.closes_at is not None:
        after_close = quiz.review_shown(quiz.closes_at + DEADLINE_GRACE)
    allowed = quiz.attempts_allowed if quiz.limits_attempts else None
    if invite is not None and invite.is_personal:
        allowed = invite.max_uses if allowed is None else min(allowed, invite.max_uses)
    return QuizRules(
        question_count=count,
        attempts_allowed=allowed,
        review_now=review_now,
        review_after_close=after_close if after_close != review_now else None,
    )
