"""Pages candidates see before an attempt: the quiz list, quiz pages and invites.

The attempt itself is in quizzes/views/attempt.py.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from quizzes.candidates import masked_email
from quizzes.forms import InviteStartForm, StartAttemptForm
from quizzes.models import Invite, Quiz
from quizzes.selectors.candidate import (
    OpenAttempt,
    attempts_of_invite,
    finished_attempts_of_quiz,
    invite_by_id,
    invite_by_token,
    latest_finished_attempt,
    open_attempts_of_browser,
    public_quizzes,
    quiz_rules,
    resumable_attempt,
)
from quizzes.services.admission import (
    AttemptLimitReached,
    AttemptOpenElsewhere,
    start_public_attempt,
)
from quizzes.services.attempts import QuizClosed
from quizzes.services.invites import InviteUnavailable, redeem_invite
from quizzes.views.browser import browser_key, identifies_browser, known_browser_key
from quizzes.views.session import (
    RATE,
    RATE_KEY,
    browser_attempts,
    offer_code,
    remember_attempt,
)

# The invite being redeemed, so the start page's URL does not carry the token.
SESSION_INVITE = "quizzes.invite"


def _invite_unavailable(
    request: HttpRequest, reason: str, invite: Invite | None = None
) -> HttpResponse:
    status = 404 if reason == "unknown" else 410
    return render(
        request,
        "quizzes/invite_unavailable.html",
        {"reason": reason, "quiz": invite.quiz if invite else None},
        status=status,
    )


def _attempt_refused(request: HttpRequest, quiz: Quiz, error: Exception) -> HttpResponse:
    """The candidate may not start: attempts used up (403) or one open elsewhere (409)."""
    elsewhere = isinstance(error, AttemptOpenElsewhere)
    # Only this browser's own result: another browser's attempt is not this person's to see.
    finished = None if elsewhere else latest_finished_attempt(quiz, browser_attempts(request))
    context = {"quiz": quiz, "elsewhere": elsewhere, "finished": finished}
    if isinstance(error, AttemptOpenElsewhere) and error.attempt is not None:
        # A one-time code to the attempt's address may let this browser continue it.
        offer_code(request, error.attempt)
        context["masked_email"] = masked_email(error.attempt.candidate_email)
    return render(
        request, "quizzes/attempt_refused.html", context, status=409 if elsewhere else 403
    )


def _resume_offers(request: HttpRequest, quiz: Quiz | None = None) -> list[OpenAttempt]:
    """This browser's unfinished attempts (of `quiz`), remembered so their links open.

    An attempt started under this browser's id cookie is this browser's even when the
    session has forgotten it (a new start would resume it too).
    """
    offers = open_attempts_of_browser(
        public_ids=browser_attempts(request),
        browser=known_browser_key(request),
        now=timezone.now(),
        quiz=quiz,
    )
    for offer in offers:
        remember_attempt(request, offer.attempt)
    return offers


def _start_page(request: HttpRequest, template: str, quiz: Quiz, context: dict) -> HttpResponse:
    """A start page: the quiz's rules, and the offer to resume an attempt left unfinished.

    Where a new start would only resume it (a quiz that limits attempts), the offer takes
    the form's place.
    """
    offers = _resume_offers(request, quiz)
    resume = offers[0] if offers else None
    context = {
        **context,
        "quiz": quiz,
        "rules": quiz_rules(quiz, now=timezone.now(), invite=context.get("invite")),
        "resume": resume,
        "start_new": resume is None or not quiz.limits_attempts,
    }
    return render(request, template, context)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    quizzes = list(public_quizzes(open_at=timezone.now()))
    offers: dict[int, OpenAttempt] = {}
    for offer in _resume_offers(request):  # newest first: each quiz offers its newest
        offers.setdefault(offer.attempt.quiz_id, offer)
    rows = [(quiz, offers.get(quiz.pk)) for quiz in quizzes]
    return render(request, "quizzes/home.html", {"rows": rows})


def _quiz_closed(request: HttpRequest, quiz: Quiz) -> HttpResponse:
    finished = finished_attempts_of_quiz(quiz, public_ids=browser_attempts(request))
    return render(
        request, "quizzes/quiz_closed.html", {"quiz": quiz, "finished": finished}, status=410
    )


@require_http_methods(["GET", "POST"])
@ratelimit(group="start", key=RATE_KEY, rate=RATE, method="POST")
@identifies_browser
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # A start that succeeds shows no question count; a page shown after all counts then.
    quiz = get_object_or_404(public_quizzes(counted=request.method == "GET"), slug=slug)
    if quiz.is_closed():
        return _quiz_closed(request, quiz)
    form = StartAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = start_public_attempt(
                quiz=quiz,
                **form.cleaned_data,
                browser=browser_key(request),
                browser_attempts=browser_attempts(request),
            )
        except (AttemptLimitReached, AttemptOpenElsewhere) as error:
            return _attempt_refused(request, quiz, error)
        except QuizClosed:
            return _quiz_closed(request, quiz)
        remember_attempt(request, attempt)
        return redirect(attempt)
    return _start_page(request, "quizzes/quiz_detail.html", quiz, {"form": form})


@require_GET
@ratelimit(group="invite", key=RATE_KEY, rate=RATE)
@identifies_browser
def invite_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation: resume the open attempt or go to the start page.

    Opening the link never starts the clock by itself (mail scanners open links too);
    the candidate presses Start on a page whose URL no longer carries the token. A shared
    link resumes only an attempt this browser started: everyone else gets a start page.
    """
    invite = invite_by_token(token)
    if invite is None:
        return _invite_unavailable(request, "unknown")
    # Whoever holds the link owns the attempt: a new session key, so a key planted in
    # this browser before (session fixation) does not get access to it.
    request.session.cycle_key()
    open_attempt = resumable_attempt(
        invite, public_ids=browser_attempts(request), browser=browser_key(request)
    )
    if open_attempt is not None:
        remember_attempt(request, open_attempt)
        return redirect(open_attempt)
    reason = invite.unavailable_reason()
    if reason:
        finished = attempts_of_invite(invite, public_ids=browser_attempts(request)).first()
        if finished is not None:
            return redirect("quizzes:result", public_id=finished.public_id)
        return _invite_unavailable(request, reason, invite)
    request.session[SESSION_INVITE] = invite.pk
    return redirect("quizzes:invite_start")


@require_http_methods(["GET", "POST"])
@ratelimit(group="invite", key=RATE_KEY, rate=RATE)
@identifies_browser
def invite_start(request: HttpRequest) -> HttpResponse:
    invite = invite_by_id(request.session.get(SESSION_INVITE))
    if invite is None:
        return _invite_unavailable(request, "unknown")
    form = InviteStartForm(request.POST if request.method == "POST" else None, invite=invite)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = redeem_invite(
                invite_id=invite.pk,
                **form.cleaned_data,
                browser=browser_key(request),
                browser_attempts=browser_attempts(request),
            )
        except Invite.DoesNotExist:
            return _invite_unavailable(request, "unknown")
        except InviteUnavailable as error:
            return _invite_unavailable(request, error.reason, invite)
        except (AttemptLimitReached, AttemptOpenElsewhere) as error:
            return _attempt_refused(request, invite.quiz, error)
        remember_attempt(request, attempt)
        del request.session[SESSION_INVITE]
        return redirect(attempt)
    return _start_page(
        request,
        "quizzes/invite_start.html",
        invite.quiz,
        {"invite": invite, "form": form},
    )
