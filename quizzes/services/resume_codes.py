"""One-time codes: continuing an open attempt in another browser, confirmed by email.

A shared link (or a public quiz) resumes an attempt only in the browser that started it.
A candidate who switches devices asks for a 6-digit code, sent to the email the attempt
was started with; entering it in the new browser lets that browser continue.

What a guesser gets is bounded: a code works for CODE_LIFETIME and MAX_TRIES wrong tries,
only the newest code of an attempt works, an attempt gets at most CODES_PER_WINDOW codes
per CODE_WINDOW, and one email address at most CODES_PER_ADDRESS_DAY codes a day across
all its attempts (plus the per-client rate limit of the views). So a guesser has at most
MAX_TRIES * CODES_PER_ADDRESS_DAY = 50 tries a day at one candidate's attempts (one chance
in 20,000), and whoever starts attempts with a stranger's address can make the site email
them at most that many codes a day. Only a keyed hash of a code is stored, and it is
compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from quizzes.email_text import render_text
from quizzes.models import Attempt, OutboundEmail, ResumeCode
from quizzes.services.attempts import accepts_answers
from quizzes.services.mail import queue_email

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
CODES_PER_WINDOW = 3
CODE_WINDOW = timedelta(minutes=15)
CODES_PER_ADDRESS_DAY = 10


class CodeRefused(Exception):
    """No code can be sent or checked now; `reason` says why (a word the page explains).

    "finished": the attempt is no longer open; "too_many": the attempt had its codes for
    now; "address_day": its address had its codes for today; "none": no code was asked
    for; "dead": the newest code expired, was used or had all its tries.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def code_hash(attempt_id: int, code: str) -> str:
    return salted_hmac(
        "quizzes.resume_code", f"{attempt_id}:{code}", algorithm="sha256"
    ).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _open_attempt(attempt_id: int, now: datetime) -> Attempt:
    attempt = (
        Attempt.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=attempt_id)
    )
    if not accepts_answers(attempt, now):
        raise CodeRefused("finished")
    return attempt


def _code_email(attempt: Attempt, code: str, language: str) -> dict:
    with translation.override(language):
        context = {
            "quiz": attempt.quiz,
            "code": code,
            "minutes": int(CODE_LIFETIME.total_seconds() // 60),
        }
        # The code is not in the subject: subjects show in lists (the outbox's too).
        subject = _("Your code to continue “%(quiz)s”") % {"quiz": attempt.quiz.title}
        return {
            "kind": OutboundEmail.Kind.CODE,
            "to": attempt.candidate_email,
            "subject": " ".join(subject.split())[:300],
            "body_text": render_text("emails/resume_code.txt", context),
            "body_html": render_to_string("emails/resume_code.html", context),
            "attempt": attempt,
        }


@transaction.atomic
def send_resume_code(*, attempt_id: int, language: str, now: datetime | None = None) -> ResumeCode:
    """Make a new code for the open attempt and email it to the attempt's address.

    Every older code of the attempt stops working. Raises CodeRefused ("finished",
    "too_many", "address_day").
    """
    now = now or timezone.now()
    attempt = _open_attempt(attempt_id, now)  # the lock also serialises concurrent sends
    recent = ResumeCode.objects.filter(attempt=attempt, created_at__gt=now - CODE_WINDOW)
    if recent.count() >= CODES_PER_WINDOW:
        raise CodeRefused("too_many")
    to_address = ResumeCode.objects.filter(
        attempt__candidate_email__iexact=attempt.candidate_email,
        created_at__gt=now - timedelta(days=1),
    )
    if to_address.count() >= CODES_PER_ADDRESS_DAY:
        raise CodeRefused("address_day")
    ResumeCode.objects.filter(attempt=attempt, used_at=None, expires_at__gt=now).update(
        expires_at=now
    )
    code = new_code()
    resume_code = ResumeCode.objects.create(
        attempt=attempt,
        code_hash=code_hash(attempt.pk, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    queue_email(**_code_email(attempt, code, language))
    return resume_code


@dataclass(frozen=True)
class CodeCheck:
    right: bool
    tries_left: int


@transaction.atomic
def check_resume_code(*, attempt_id: int, code: str, now: datetime | None = None) -> CodeCheck:
    """Whether `code` is the attempt's newest live code; a right one is used up, a wrong
    one spends one of the code's tries.

    Raises CodeRefused ("finished", "none", "dead") when no code can be right any more.
    """
    now = now or timezone.now()
    _open_attempt(attempt_id, now)
    newest = (
        ResumeCode.objects.select_for_update()
        .filter(attempt_id=attempt_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    if newest is None:
        raise CodeRefused("none")
    if newest.used_at is not None or newest.expires_at <= now or newest.tries >= MAX_TRIES:
        raise CodeRefused("dead")
    if hmac.compare_digest(newest.code_hash, code_hash(attempt_id, code)):
        newest.used_at = now
        newest.save(update_fields=["used_at"])
        return CodeCheck(right=True, tries_left=MAX_TRIES - newest.tries)
    newest.tries += 1
    newest.save(update_fields=["tries"])
    return CodeCheck(right=False, tries_left=MAX_TRIES - newest.tries)
