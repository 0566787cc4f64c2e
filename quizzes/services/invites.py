"""Invites: creating personal links and starting (or resuming) the attempt behind one."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction

from quizzes.candidates import InviteEntry
from quizzes.models import Attempt, Invite, Quiz
from quizzes.selectors.candidate import open_attempt_for_invite
from quizzes.services.attempts import QuizClosed, start_attempt


class InviteUnavailable(Exception):
    """The invite cannot start an attempt: its reason is "closed", "expired" or "used_up"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CandidateDetailsNeeded(Exception):
    """The invite names no candidate: ask for a name and email before starting."""


@transaction.atomic
def create_invites(
    *,
    quiz: Quiz,
    entries: Iterable[InviteEntry],
    max_uses: int = 1,
    expires_at: datetime | None = None,
    created_by: User | None = None,
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
    *,
    invite_id: int,
    candidate_name: str = "",
    candidate_email: str = "",
    rng: random.Random | None = None,
) -> Attempt:
    """Resume the invite's open attempt, or start one if the invite still has a use left.

    The invite's own name and email win over what the candidate typed. Raises
    Invite.DoesNotExist, InviteUnavailable, or CandidateDetailsNeeded (the invite names
    nobody and no details were given).
    """
    try:
        return _redeem_invite(invite_id, candidate_name, candidate_email, rng)
    except IntegrityError:
        # Two first clicks raced past the lock (SQLite has no row locks): the other one
        # created the open attempt, which the retry resumes.
        return _redeem_invite(invite_id, candidate_name, candidate_email, rng)


@transaction.atomic
def _redeem_invite(
    invite_id: int, candidate_name: str, candidate_email: str, rng: random.Random | None
) -> Attempt:
    invite = (
        Invite.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .get(pk=invite_id, quiz__published=True)
    )
    open_attempt = open_attempt_for_invite(invite)
    if open_attempt is not None:
        return open_attempt
    reason = invite.unavailable_reason()
    if reason:
        raise InviteUnavailable(reason)
    name = invite.candidate_name or candidate_name.strip()
    email = invite.candidate_email or candidate_email.strip()
    if not (name and email):
        raise CandidateDetailsNeeded
    try:
        attempt = start_attempt(
            quiz=invite.quiz, candidate_name=name, candidate_email=email, invite=invite, rng=rng
        )
    except QuizClosed:
        # It closed between the check above and the start.
        raise InviteUnavailable("closed") from None
    Invite.objects.filter(pk=invite.pk).update(uses=models.F("uses") + 1)
    return attempt
