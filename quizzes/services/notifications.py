"""Recruiters' notifications: an email per finished attempt, or one daily digest.

A recruiter chooses in NotificationPreference. Nothing here runs in the candidate's
request: submit_attempt asks the task queue (tasks.attempt_finished) once its transaction
commits, and the digest is a periodic task. Whoever may not view attempts when the email
is written gets none, whatever their preference says: candidates' names and scores are
for recruiters only. Each email has a once_key, so a task that runs twice sends once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from quizzes.email_text import render_text
from quizzes.models import Attempt, NotificationPreference, OutboundEmail
from quizzes.services.mail import queue_emails

logger = logging.getLogger(__name__)

VIEW_ATTEMPTS = "quizzes.view_attempt"
DIGEST_PERIOD = timedelta(hours=24)
# A digest lists at most this many attempts and says how many more there were.
DIGEST_LIMIT = 200
SUBJECT_LENGTH = 300


def may_read_attempts(user: User) -> bool:
    """Whether the user may see candidates' data now: as the review pages decide it."""
    return bool(user.is_active and user.is_staff and user.email and user.has_perm(VIEW_ATTEMPTS))


def subscribers(mode: str) -> list[NotificationPreference]:
    """Preferences of `mode` whose users may read attempts at this moment."""
    preferences = (
        NotificationPreference.objects.filter(mode=mode, user__is_active=True, user__is_staff=True)
        .exclude(Q(user__email="") | Q(user__email__isnull=True))
        .select_related("user")
        .order_by("pk")
    )
    return [preference for preference in preferences if may_read_attempts(preference.user)]


def attempt_url(attempt: Attempt) -> str:
    return settings.SITE_URL + reverse("quizzes:review_attempt", args=[attempt.public_id])


def points(value) -> str:
    """1.0000 as 1 and 0.6667 as 0.67, as the review shows scores."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:SUBJECT_LENGTH]


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_text(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    return text, html


def finished_email(attempt: Attempt, preference: NotificationPreference) -> OutboundEmail:
    """The email that tells one recruiter an attempt is finished, in their language."""
    with translation.override(preference.language):
        context = {"attempt": attempt, "quiz": attempt.quiz, "url": attempt_url(attempt)}
        text, html = _render("attempt_finished", context)
        subject = _("%(name)s finished “%(quiz)s”: %(score)s of %(max)s") % {
            "name": attempt.candidate_name,
            "quiz": attempt.quiz.title,
            "score": points(attempt.score),
            "max": points(attempt.max_score),
        }
    return OutboundEmail(
        kind=OutboundEmail.Kind.NOTIFICATION,
        to=preference.user.email,
        subject=_one_line(subject),
        body_text=text,
        body_html=html,
        attempt=attempt,
        once_key=f"finished:{attempt.pk}:{preference.user_id}",
    )


def announce_finished(*, attempt_id: int) -> int:
    """Queue the "attempt finished" email for every recruiter who asked for one.

    Returns how many were queued now (0 for a second run: their once_keys are used).
    """
    attempt = Attempt.objects.select_related("quiz").filter(pk=attempt_id).first()
    if attempt is None or attempt.is_open:
        return 0
    emails = [finished_email(attempt, p) for p in subscribers(NotificationPreference.Mode.EACH)]
    return len(queue_emails(emails))


def finished_between(start: datetime, end: datetime) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state=Attempt.State.IN_PROGRESS)
        .select_related("quiz")
        .order_by("quiz__title", "-submitted_at", "pk")
    )


def digest_email(
    attempts: list[Attempt], more: int, preference: NotificationPreference, day: str
) -> OutboundEmail:
    with translation.override(preference.language):
        rows = [(attempt, attempt_url(attempt)) for attempt in attempts]
        context = {"rows": rows, "more": more, "count": len(attempts) + more}
        text, html = _render("attempt_digest", context)
        subject = _("Finished attempts in the last 24 hours: %(count)d") % {
            "count": len(attempts) + more
        }
    return OutboundEmail(
        kind=OutboundEmail.Kind.DIGEST,
        to=preference.user.email,
        subject=_one_line(subject),
        body_text=text,
        body_html=html,
        once_key=f"digest:{day}:{preference.user_id}",
    )


def send_daily_digests(*, now: datetime | None = None) -> int:
    """Queue each daily subscriber's digest of the attempts finished in the last 24 hours.

    Nothing is sent on a day with no finished attempt. Runs once a day (tasks.daily_digest);
    a second run on the same day sends nothing again. Returns how many were queued.
    """
    now = now or timezone.now()
    preferences = subscribers(NotificationPreference.Mode.DAILY)
    if not preferences:
        return 0
    found = list(finished_between(now - DIGEST_PERIOD, now)[: DIGEST_LIMIT + 1])
    if not found:
        return 0
    more = 0
    if len(found) > DIGEST_LIMIT:
        more = finished_between(now - DIGEST_PERIOD, now).count() - DIGEST_LIMIT
        found = found[:DIGEST_LIMIT]
    day = now.date().isoformat()
    emails = [digest_email(found, more, preference, day) for preference in preferences]
    return len(queue_emails(emails))
