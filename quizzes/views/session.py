"""What a candidate's browser holds: the attempts its session may open, and rate-limit keys."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from quizzes.models import Attempt
from quizzes.selectors.attempt_state import AttemptFacts, attempt_facts

SESSION_ATTEMPTS = "quizzes.attempts"
# The open attempt this browser was refused (started elsewhere) and may continue with a
# one-time code: kept on the server, never sent to the browser.
SESSION_RESUME = "quizzes.resume"
# Rate limits per client address (settings.RATE_LIMITS); over the limit -> 429 page.
RATE_KEY = "quizzes.security.ratelimit_key"
RATE = "quizzes.security.rate"


def remember_attempt(request: HttpRequest, attempt: Attempt) -> None:
    """Let this browser's session open the attempt (the session is written only if new)."""
    attempts = request.session.get(SESSION_ATTEMPTS, [])
    if str(attempt.public_id) not in attempts:
        request.session[SESSION_ATTEMPTS] = [*attempts, str(attempt.public_id)][-50:]


def browser_attempts(request: HttpRequest) -> tuple[str, ...]:
    """Public ids of the attempts this browser's session may open."""
    return tuple(request.session.get(SESSION_ATTEMPTS, []))


def check_browser_owns(request: HttpRequest, public_id) -> None:
    """404 unless this browser started the attempt: an id alone does not grant access."""
    if str(public_id) not in request.session.get(SESSION_ATTEMPTS, []):
        raise Http404


def attempt_for_candidate(request: HttpRequest, public_id) -> Attempt:
    """The attempt, if this browser started it: an id alone does not grant access."""
    check_browser_owns(request, public_id)
    return get_object_or_404(
        Attempt.objects.select_related("quiz", "revision"), public_id=public_id
    )


def facts_for_candidate(request: HttpRequest, public_id) -> AttemptFacts:
    """The attempt's fixed facts, if this browser started it (the cache first, no lock)."""
    check_browser_owns(request, public_id)
    facts = attempt_facts(public_id)
    if facts is None:
        raise Http404
    return facts


def offer_code(request: HttpRequest, attempt: Attempt) -> None:
    """Let this browser ask for a one-time code to continue `attempt` (views/resume.py)."""
    request.session[SESSION_RESUME] = attempt.pk


def attempt_offered_code(request: HttpRequest) -> Attempt:
    """The attempt this browser may ask a code for; 404 when there is none."""
    attempt_id = request.session.get(SESSION_RESUME)
    if not isinstance(attempt_id, int):
        raise Http404
    return get_object_or_404(Attempt.objects.select_related("quiz"), pk=attempt_id)


def forget_code_offer(request: HttpRequest) -> None:
    request.session.pop(SESSION_RESUME, None)
