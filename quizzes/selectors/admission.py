"""Who a candidate is, for the attempts allowed: their attempts so far and their grants.

Candidates have no accounts. One is recognised by email (trimmed, case-insensitive), by
browser (its id cookie, and the attempts its session remembers) and by personal invite,
all together: a new email in the same browser, or the same email in a new browser, is
the same candidate. Attempts found that way bring their own emails and browsers along,
so switching email in one browser and then browser with the new email does not make a
new candidate either. A personal invite's candidate is named by staff: the invite and its
email are who they are, nothing is followed from there.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q
from django.db.models.functions import Lower

from quizzes.candidates import normalized_email
from quizzes.models import Attempt, AttemptGrant, Invite, Quiz

# Rounds of following emails and browsers: each costs a query, and only a candidate who
# changed email and browser in turn needs more than the first.
LINK_ROUNDS = 4


@dataclass(frozen=True)
class Candidate:
    """Who is starting an attempt (or made one), as far as the site can tell."""

    email: str
    # The hash of the browser's id cookie, as attempts store it ("" when unknown).
    browser: str = ""
    # Public ids of the attempts this browser's session remembers.
    browser_attempts: Collection[str] = field(default=())
    # The personal invite the candidate came through (a shared invite identifies nobody).
    invite: Invite | None = None

    def owns(self, attempt: Attempt) -> bool:
        """Whether this browser may open the attempt: it started it, or the personal link."""
        return (
            str(attempt.public_id) in self.browser_attempts
            or (bool(self.browser) and attempt.browser == self.browser)
            or (self.invite is not None and attempt.invite_id == self.invite.pk)
        )


def _matching(emails: set[str], browsers: set[str], candidate: Candidate) -> Q:
    match = Q(email_key__in=sorted(emails))
    if browsers:
        match |= Q(browser__in=sorted(browsers))
    if candidate.browser_attempts:
        match |= Q(public_id__in=list(candidate.browser_attempts))
    if candidate.invite is not None:
        match |= Q(invite=candidate.invite)
    return match


@dataclass(frozen=True)
class History:
    """A candidate's attempts of a quiz, newest first, and the grants made on them."""

    attempts: list[Attempt]

    @cached_property
    def grants(self) -> int:
        """Counted on first use: a start that resumes, or a first start, needs no count."""
        if not self.attempts:
            return 0
        return AttemptGrant.objects.filter(
            attempt__in=[attempt.pk for attempt in self.attempts]
        ).count()


def candidate_history(quiz: Quiz, candidate: Candidate) -> History:
    """The candidate's attempts of the quiz (a query per round of following links).

    Loads only what recognising and resuming need (ids, email, browser, state, deadline).
    """
    emails = {normalized_email(candidate.email)}
    browsers = {candidate.browser} - {""}
    found: dict[int, Attempt] = {}
    for _round in range(LINK_ROUNDS):
        batch = list(
            Attempt.objects.filter(quiz=quiz)
            .alias(email_key=Lower("candidate_email"))
            .filter(_matching(emails, browsers, candidate))
            .exclude(pk__in=list(found))
            .only(
                "public_id",
                "quiz_id",
                "invite_id",
                "candidate_email",
                "browser",
                "state",
                "deadline",
                "started_at",
            )
        )
        found.update((attempt.pk, attempt) for attempt in batch)
        if candidate.invite is not None:
            break
        new_emails = {normalized_email(a.candidate_email) for a in batch} - emails
        new_browsers = {a.browser for a in batch} - browsers - {""}
        if not (new_emails or new_browsers):
            break
        emails |= new_emails
        browsers |= new_browsers
    attempts = sorted(found.values(), key=lambda a: (a.started_at, a.pk), reverse=True)
    return History(attempts=attempts)


def attempts_allowed(quiz: Quiz, *, grants: int) -> int | None:
    """How many attempts a candidate with `grants` extra attempts may make; None: no limit."""
    if quiz.attempts_allowed is None or not quiz.limits_attempts:
        return None
    return quiz.attempts_allowed + grants


@dataclass(frozen=True)
class Allowance:
    """The attempts a candidate made of a quiz, may make (None: no limit), and the grants."""

    used: int
    allowed: int | None
    grants: list[AttemptGrant]


def allowance(quiz: Quiz, candidate: Candidate) -> Allowance:
    history = candidate_history(quiz, candidate)
    grants = list(
        AttemptGrant.objects.filter(attempt__in=[attempt.pk for attempt in history.attempts])
        .select_related("granted_by")
        .order_by("created_at", "pk")
    )
    return Allowance(
        used=len(history.attempts),
        allowed=attempts_allowed(quiz, grants=len(grants)),
        grants=grants,
    )


def candidate_of(attempt: Attempt) -> Candidate:
    """The candidate who made `attempt`, recognised as when they start one.

    Without the session, which only their browser has.
    """
    invite = attempt.invite
    if invite is not None and invite.is_personal:
        return Candidate(email=attempt.candidate_email, invite=invite)
    return Candidate(email=attempt.candidate_email, browser=attempt.browser)
