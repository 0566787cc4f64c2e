"""Invites: creating links and starting (or resuming) the attempt behind one."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction

from quizzes.candidates import InviteEntry
from quizzes.models import Attempt, Invite, Quiz
from quizzes.selectors.admission import Candidate
from quizzes.selectors.candidate import open_attempt_for_invite
from quizzes.services.admission import AttemptLimitReached, admit
from quizzes.services.attempts import QuizClosed, start_attempt
from quizzes.services.invitations import send_invitations
from quizzes.services.webhooks import announce
from quizzes.webhooks import INVITE_USED


class InviteUnavailable(Exception):
    """The invite cannot start an attempt: its reason is "closed", "expired" or "used_up"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CandidateDetailsNeeded(Exception):
    """The invite does not say who the candidate is: ask for a name and email first."""


@transaction.atomic
def create_invites(
    *,
    quiz: Quiz,
    entries: Iterable[InviteEntry],
    max_uses: int = 1,
    expires_at: datetime | None = None,
    language: str = "",
    send_email: bool = False,
    created_by: User | None = None,
) -> list[Invite]:
    """Create one personal invite per entry, each with its own unguessable token.

    An entry's own expiry wins over `expires_at`. With `send_email` each candidate's
    invitation is queued too. One insert for all the invites and one for their emails,
    whatever their number (the API takes up to a thousand at once); the emails go out
    from the queue after the commit.
    """
    invites = [
        Invite(
            quiz=quiz,
            kind=Invite.Kind.PERSONAL,
            candidate_name=entry.name,
            candidate_email=entry.email,
            max_uses=max_uses,
            expires_at=entry.expires_at or expires_at,
            language=language or settings.LANGUAGE_CODE,
            created_by=created_by,
        )
        for entry in entries
    ]
    Invite.objects.bulk_create(invites)
    if send_email:
        send_invitations(invites=invites, queued_by=created_by)
    return invites


def create_invite(*, invite: Invite, send_email: bool = False) -> Invite:
    """Save a new invite (from the admin's form); with `send_email`, queue its invitation.

    Raises InvitationQuotaExceeded (nothing saved) when its creator's hourly allowance of
    invitation emails is used up.
    """
    with transaction.atomic():
        invite.save()
        if send_email:
            send_invitations(invites=[invite], queued_by=invite.created_by)
    return invite


def resend_invitations(*, invites: Iterable[Invite], user: User | None = None) -> int:
    """Queue a fresh invitation to each personal invite's candidate; returns how many.

    Raises InvitationQuotaExceeded (nothing queued) beyond `user`'s hourly allowance.
    """
    with transaction.atomic():
        return len(send_invitations(invites=invites, queued_by=user))


def redeem_invite(
    *,
    invite_id: int,
    candidate_name: str = "",
    candidate_email: str = "",
    browser: str = "",
    browser_attempts: tuple[str, ...] = (),
    rng: random.Random | None = None,
) -> Attempt:
    """Resume the candidate's open attempt, or start one if the invite has a use left.

    A personal invite's own name and email win over what the candidate typed and identify
    the candidate; its open attempt resumes in any browser. On a shared invite each person
    is who they say, and their open attempt resumes only in the browser that started it
    (`browser`: the hash of its id cookie; `browser_attempts`: the public ids its session
    remembers). Raises Invite.DoesNotExist, InviteUnavailable, CandidateDetailsNeeded, and
    from services.admission AttemptLimitReached or AttemptOpenElsewhere.
    """
    typed = Candidate(
        email=candidate_email, browser=browser, browser_attempts=tuple(browser_attempts)
    )
    try:
        return _redeem_invite(invite_id, candidate_name, typed, rng)
    except IntegrityError:
        # Two first clicks raced past the lock (SQLite has no row locks): the other one
        # created the open attempt, which the retry resumes.
        return _redeem_invite(invite_id, candidate_name, typed, rng)


@transaction.atomic
def _redeem_invite(
    invite_id: int, typed_name: str, typed: Candidate, rng: random.Random | None
) -> Attempt:
    invite = (
        Invite.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .get(pk=invite_id, quiz__published=True)
    )
    if invite.is_personal:
        open_attempt = open_attempt_for_invite(invite)
        if open_attempt is not None:
            return open_attempt
    name = invite.candidate_name or typed_name.strip()
    email = invite.candidate_email or typed.email.strip()
    reason = invite.unavailable_reason()
    if not email:
        if reason:
            raise InviteUnavailable(reason)
        raise CandidateDetailsNeeded
    # Staff name a personal invite's candidate: the invite and its email are who they are,
    # so the next candidate on a shared office computer is not taken for the previous one.
    if invite.is_personal:
        candidate = Candidate(email=email, invite=invite)
    else:
        candidate = replace(typed, email=email)
    admission = admit(invite.quiz, candidate)
    if admission.resume is not None:
        return admission.resume
    if reason:
        raise InviteUnavailable(reason)
    if not name:
        raise CandidateDetailsNeeded
    if not admission.attempt_left:
        raise AttemptLimitReached
    try:
        attempt = start_attempt(
            quiz=invite.quiz,
            candidate_name=name,
            candidate_email=email,
            invite=invite,
            browser=typed.browser,
            rng=rng,
        )
    except QuizClosed:
        # It closed between the check above and the start.
        raise InviteUnavailable("closed") from None
    Invite.objects.filter(pk=invite.pk).update(uses=models.F("uses") + 1)
    announce(INVITE_USED, attempt.pk)
    return attempt
