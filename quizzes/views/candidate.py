"""Pages candidates see: the quiz list, invites, answering, autosave and the result."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from quizzes.content import PresentedQuestion
from quizzes.forms import (
    AnswerForm,
    AutosaveForm,
    InviteStartForm,
    PageNavigationForm,
    StartAttemptForm,
    shown_questions,
)
from quizzes.models import Attempt, Invite, Quiz
from quizzes.selectors.candidate import (
    attempts_of_invite,
    finished_attempts_of_quiz,
    invite_by_id,
    invite_by_token,
    latest_finished_attempt,
    presented_questions,
    public_quizzes,
    resumable_attempt,
)
from quizzes.selectors.results import attempt_review
from quizzes.services.admission import (
    AttemptLimitReached,
    AttemptOpenElsewhere,
    start_public_attempt,
)
from quizzes.services.attempts import (
    AttemptClosed,
    InvalidAnswer,
    QuizClosed,
    close_if_overdue,
    save_answers,
    submit_attempt,
)
from quizzes.services.invites import InviteUnavailable, redeem_invite
from quizzes.views.browser import browser_key, identifies_browser

SESSION_ATTEMPTS = "quizzes.attempts"
# The invite being redeemed, so the start page's URL does not carry the token.
SESSION_INVITE = "quizzes.invite"
# Rate limits per client address (settings.RATE_LIMITS); over the limit -> 429 page.
RATE_KEY = "quizzes.security.ratelimit_key"
RATE = "quizzes.security.rate"


def _remember_attempt(request: HttpRequest, attempt: Attempt) -> None:
    attempts = request.session.get(SESSION_ATTEMPTS, [])
    if str(attempt.public_id) not in attempts:
        attempts.append(str(attempt.public_id))
    request.session[SESSION_ATTEMPTS] = attempts[-50:]


def _browser_attempts(request: HttpRequest) -> tuple[str, ...]:
    return tuple(request.session.get(SESSION_ATTEMPTS, []))


def _get_attempt_for_candidate(request: HttpRequest, public_id) -> Attempt:
    """The attempt, if this browser started it: an id alone does not grant access."""
    if str(public_id) not in request.session.get(SESSION_ATTEMPTS, []):
        raise Http404
    return get_object_or_404(
        Attempt.objects.select_related("quiz", "revision"), public_id=public_id
    )


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
    finished = None if elsewhere else latest_finished_attempt(quiz, _browser_attempts(request))
    context = {"quiz": quiz, "elsewhere": elsewhere, "finished": finished}
    return render(
        request, "quizzes/attempt_refused.html", context, status=409 if elsewhere else 403
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "quizzes/home.html", {"quizzes": public_quizzes(open_at=timezone.now())})


def _quiz_closed(request: HttpRequest, quiz: Quiz) -> HttpResponse:
    finished = finished_attempts_of_quiz(quiz, public_ids=request.session.get(SESSION_ATTEMPTS, []))
    return render(
        request, "quizzes/quiz_closed.html", {"quiz": quiz, "finished": finished}, status=410
    )


@require_http_methods(["GET", "POST"])
@ratelimit(group="start", key=RATE_KEY, rate=RATE, method="POST")
@identifies_browser
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(public_quizzes(), slug=slug)
    if quiz.is_closed():
        return _quiz_closed(request, quiz)
    form = StartAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = start_public_attempt(
                quiz=quiz,
                **form.cleaned_data,
                browser=browser_key(request),
                browser_attempts=_browser_attempts(request),
            )
        except (AttemptLimitReached, AttemptOpenElsewhere) as error:
            return _attempt_refused(request, quiz, error)
        except QuizClosed:
            return _quiz_closed(request, quiz)
        _remember_attempt(request, attempt)
        return redirect(attempt)
    return render(request, "quizzes/quiz_detail.html", {"quiz": quiz, "form": form})


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
        invite, public_ids=_browser_attempts(request), browser=browser_key(request)
    )
    if open_attempt is not None:
        _remember_attempt(request, open_attempt)
        return redirect(open_attempt)
    reason = invite.unavailable_reason()
    if reason:
        finished = attempts_of_invite(invite, public_ids=_browser_attempts(request)).first()
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
                browser_attempts=_browser_attempts(request),
            )
        except Invite.DoesNotExist:
            return _invite_unavailable(request, "unknown")
        except InviteUnavailable as error:
            return _invite_unavailable(request, error.reason, invite)
        except (AttemptLimitReached, AttemptOpenElsewhere) as error:
            return _attempt_refused(request, invite.quiz, error)
        _remember_attempt(request, attempt)
        del request.session[SESSION_INVITE]
        return redirect(attempt)
    return render(
        request,
        "quizzes/invite_start.html",
        {"invite": invite, "quiz": invite.quiz, "form": form},
    )


def _page_number(value: int | None, count: int) -> int:
    return min(max(value or 1, 1), max(count, 1))


def _finished_redirect(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    if attempt.state == Attempt.State.CLOSED:
        messages.warning(
            request, _("Time ran out: the answers saved before the deadline were graded.")
        )
    return redirect("quizzes:result", public_id=attempt.public_id)


@require_http_methods(["GET", "POST"])
@ratelimit(group="submit", key=RATE_KEY, rate=RATE, method="POST")
def attempt_page(request: HttpRequest, public_id) -> HttpResponse:
    attempt = _get_attempt_for_candidate(request, public_id)
    if not attempt.is_open:
        return redirect("quizzes:result", public_id=attempt.public_id)
    questions = presented_questions(attempt)
    if request.method == "POST":
        return _attempt_post(request, attempt, questions)
    if close_if_overdue(attempt=attempt):
        attempt.refresh_from_db(fields=["state"])
        return _finished_redirect(request, attempt)
    saved = {answer.question_id: answer.selected for answer in attempt.answers.all()}
    paged = attempt.quiz.navigation == Quiz.Navigation.PAGED
    if paged:
        page = _page_number(PageNavigationForm(request.GET).number("q"), len(questions))
    else:
        page = None
    shown = [questions[page - 1]] if page is not None else questions
    remaining = None
    if attempt.deadline is not None:
        remaining = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    return render(
        request,
        "quizzes/attempt.html",
        {
            "attempt": attempt,
            "questions": shown,
            "shown_tokens": [attempt.tokens.question(q["id"]) for q in shown],
            "chosen": saved,
            "paged": paged,
            "page": page,
            "page_count": len(questions),
            "navigator": [
                {"number": q["number"], "answered": bool(saved.get(q["id"]))} for q in questions
            ],
            "remaining_seconds": remaining,
            # The page counts its save numbers from the server's clock (attempt.js).
            "now_ms": int(timezone.now().timestamp() * 1000),
        },
    )


def _attempt_post(
    request: HttpRequest, attempt: Attempt, questions: list[PresentedQuestion]
) -> HttpResponse:
    """Submit (button "finish", or no button: the timer and old forms) or save and move."""
    tokens = attempt.tokens
    shown = shown_questions(request.POST, questions, tokens=tokens)
    form = AnswerForm(request.POST, questions=shown or [], tokens=tokens)
    bookkeeping = AutosaveForm(request.POST, tokens=tokens)
    if shown is None or not form.is_valid() or not bookkeeping.is_valid():
        errors = dict(form.errors) if shown is not None else {}
        errors.update(bookkeeping.errors)
        return render(
            request,
            "quizzes/bad_answer.html",
            {"attempt": attempt, "errors": errors},
            status=400,
        )
    # No button at all means the countdown's submit (or an old form): finish. A navigator
    # button sends only `goto`.
    action = request.POST.get("action") or ("goto" if "goto" in request.POST else "finish")
    if action == "finish":
        outcome = submit_attempt(attempt_id=attempt.pk, selections=form.selections())
        if not outcome.graded_now:
            messages.info(request, _("This attempt was already submitted; here is its result."))
            return redirect("quizzes:result", public_id=attempt.public_id)
        return _finished_redirect(request, outcome.attempt)
    try:
        save_answers(
            attempt_id=attempt.pk,
            selections=form.selections(),
            seq=bookkeeping.cleaned_data["seq"],
        )
    except AttemptClosed:
        close_if_overdue(attempt=attempt)
        attempt.refresh_from_db(fields=["state"])
        return _finished_redirect(request, attempt)
    except InvalidAnswer:
        return render(
            request,
            "quizzes/bad_answer.html",
            {"attempt": attempt, "errors": {"seq": [_("The save number is out of range.")]}},
            status=400,
        )
    navigation = PageNavigationForm(request.POST)
    if navigation.number("goto") is not None:
        target = _page_number(navigation.number("goto"), len(questions))
    else:
        current = _page_number(navigation.number("page"), len(questions))
        target = {"next": current + 1, "prev": current - 1}.get(action, current)
        target = _page_number(target, len(questions))
    if action == "save":
        messages.success(request, _("Your answers are saved. You can continue later."))
    url = attempt.get_absolute_url()
    if attempt.quiz.navigation == Quiz.Navigation.PAGED:
        url += f"?q={target}"
    return redirect(url)


@require_POST
@ratelimit(group="autosave", key=RATE_KEY, rate=RATE)
def autosave(request: HttpRequest, public_id) -> JsonResponse:
    """The page's background save: answers shown on the page plus integrity signals."""
    attempt = _get_attempt_for_candidate(request, public_id)
    result_url = reverse("quizzes:result", kwargs={"public_id": attempt.public_id})
    if not attempt.is_open:
        return JsonResponse({"closed": True, "result_url": result_url}, status=409)
    questions = presented_questions(attempt)
    tokens = attempt.tokens
    shown = shown_questions(request.POST, questions, tokens=tokens, default_all=False)
    form = AnswerForm(request.POST, questions=shown or [], tokens=tokens)
    bookkeeping = AutosaveForm(request.POST, tokens=tokens, questions=questions)
    if shown is None or not form.is_valid() or not bookkeeping.is_valid():
        return JsonResponse({"error": _("The answers could not be accepted.")}, status=400)
    seq = bookkeeping.cleaned_data["seq"]
    try:
        saved = save_answers(
            attempt_id=attempt.pk,
            selections=form.selections(),
            seq=seq,
            signals=bookkeeping.signals(),
        )
    except AttemptClosed:
        return JsonResponse({"closed": True, "result_url": result_url}, status=409)
    except InvalidAnswer:
        return JsonResponse({"error": _("The answers could not be accepted.")}, status=400)
    if not saved:
        attempt.refresh_from_db(fields=["save_seq"])
    # The number the next save has to exceed: a page whose save was stale continues after it.
    accepted = seq if saved and seq is not None else attempt.save_seq
    return JsonResponse({"saved": saved, "stale": not saved, "seq": accepted})


@require_GET
@never_cache  # what it shows changes when the quiz closes
def result_page(request: HttpRequest, public_id) -> HttpResponse:
    attempt = _get_attempt_for_candidate(request, public_id)
    if attempt.is_open:
        if not close_if_overdue(attempt=attempt):
            return redirect(attempt)
        attempt = _get_attempt_for_candidate(request, public_id)
    # Decided once, so the score and the questions agree even at the moment of the close.
    now = timezone.now()
    shown = attempt.quiz.review_shown(now)
    return render(
        request,
        "quizzes/result.html",
        {
            "attempt": attempt,
            "shown": shown,
            "later": attempt.quiz.review_later(now),
            "review": attempt_review(attempt) if shown.shows_correctness else [],
        },
    )
