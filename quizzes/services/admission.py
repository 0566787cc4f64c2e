"""Attempts allowed: whether a candidate may start another attempt, and recruiters' grants.

A quiz allows each candidate `attempts_allowed` attempts (empty or 0: unlimited) plus one
per grant. The candidate is recognised by email, browser and personal invite together
(selectors.admission), and has at most one open attempt per limited quiz: a new
start in the browser that holds it resumes it, a start anywhere else is refused.

The check and the start that follows run in one transaction that first locks the quiz's
candidate by email and by browser, so two simultaneous starts of one candidate cannot
both pass, while other candidates never wait. PostgreSQL takes transaction-level advisory
locks; SQLite runs write transactions one at a time (settings: IMMEDIATE) anyway.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from quizzes.candidates import normalized_email
from quizzes.models import Attempt, AttemptGrant, Invite, Quiz
from quizzes.selectors.admission import (
    Candidate,
    allowance,
    attempts_allowed,
    candidate_history,
    candidate_of,
)
from quizzes.services.attempts import close_if_overdue, start_attempt


class AttemptLimitReached(Exception):
    """The candidate has made every attempt the quiz allows them."""


class AttemptOpenElsewhere(Exception):
    """The candidate's open attempt was started in another browser: continue it there.

    `attempt` is that attempt, for the server's eyes only (a one-time code may let this
    browser continue it): never shown to the browser that was refused.
    """

    def __init__(self, attempt: Attempt | None = None):
        super().__init__("an open attempt belongs to another browser")
        self.attempt = attempt


class GrantRefused(ValueError):
    """A grant that makes no sense; the message is shown to the recruiter."""


def _lock_key(quiz: Quiz, kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"start:{quiz.pk}:{kind}:{value}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def lock_candidate(quiz: Quiz, candidate: Candidate) -> None:
    """Wait until no other start of this quiz by the same email or browser is under way.

    The locks last until the transaction ends; taken in a fixed order, so two starts that
    share both keys cannot deadlock.
    """
    if connection.vendor != "postgresql":
        return
    keys = {_lock_key(quiz, "email", normalized_email(candidate.email))}
    if candidate.browser:
        keys.add(_lock_key(quiz, "browser", candidate.browser))
    with connection.cursor() as cursor:
        # One round trip; the sorted subquery makes the locks be taken in key order.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(key) FROM (SELECT unnest(%s::bigint[]) AS key "
            "ORDER BY key) AS keys",
            [sorted(keys)],
        )


@dataclass(frozen=True)
class Admission:
    """What the candidate's attempts so far allow: resuming one, or starting a new one."""

    resume: Attempt | None
    attempt_left: bool


def admit(quiz: Quiz, candidate: Candidate) -> Admission:
    """Lock the candidate's starts of the quiz, then weigh their attempts.

    Call inside the transaction that starts the attempt. An open attempt this browser may
    continue is returned to resume; one that belongs to another browser raises
    AttemptOpenElsewhere; one whose time is up is closed here and counts as finished.
    """
    lock_candidate(quiz, candidate)
    history = candidate_history(quiz, candidate)
    for attempt in history.attempts:
        if attempt.is_open and not close_if_overdue(attempt=attempt):
            if not candidate.owns(attempt):
                raise AttemptOpenElsewhere(attempt)
            return Admission(resume=attempt, attempt_left=True)
    allowed = attempts_allowed(quiz, grants=history.grants)
    return Admission(resume=None, attempt_left=allowed is None or len(history.attempts) < allowed)


@transaction.atomic
def start_public_attempt(
    *,
    quiz: Quiz,
    candidate_name: str,
    candidate_email: str,
    browser: str = "",
    browser_attempts: tuple[str, ...] = (),
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt from the quiz's public page, or resume the candidate's open one.

    Raises AttemptLimitReached or AttemptOpenElsewhere (limited quizzes only: a quiz with
    unlimited attempts starts a new attempt every time, as practice should).
    """
    if quiz.limits_attempts:
        candidate = Candidate(
            email=candidate_email, browser=browser, browser_attempts=browser_attempts
        )
        admission = admit(quiz, candidate)
        if admission.resume is not None:
            return admission.resume
        if not admission.attempt_left:
            raise AttemptLimitReached
    return start_attempt(
        quiz=quiz,
        candidate_name=candidate_name,
        candidate_email=candidate_email,
        browser=browser,
        rng=rng,
    )


@transaction.atomic
def grant_extra_attempt(*, attempt: Attempt, user: User) -> AttemptGrant:
    """Allow the candidate who made `attempt` one more attempt of its quiz, audited.

    Only a candidate with no attempt left gets one (a second click grants nothing more).
    The invite the attempt came through gets one more use too, so the candidate can start
    the extra attempt from the same link.
    """
    quiz = Quiz.objects.get(pk=attempt.quiz_id)
    if not quiz.limits_attempts:
        raise GrantRefused(_("This quiz allows unlimited attempts: there is nothing to grant."))
    candidate = candidate_of(attempt)
    lock_candidate(quiz, candidate)
    current = allowance(quiz, candidate)
    if current.allowed is not None and current.used < current.allowed:
        raise GrantRefused(
            _("%(name)s has an attempt left already: there is nothing to grant.")
            % {"name": attempt.candidate_name}
        )
    if attempt.invite_id is not None:
        Invite.objects.filter(pk=attempt.invite_id).update(max_uses=models.F("max_uses") + 1)
    return AttemptGrant.objects.create(attempt=attempt, granted_by=user)
