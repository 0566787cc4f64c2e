"""The attempt itself: answering, background saves, submitting and the result."""

import math
from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from quizzes.content import PresentedQuestion
from quizzes.forms import AnswerForm, AutosaveForm, PageNavigationForm, shown_questions
from quizzes.models import Attempt, Quiz
from quizzes.opaque import question_element_id
from quizzes.selectors.candidate import attempt_for_page, presented_questions, saved_choices
from quizzes.selectors.results import attempt_review
from quizzes.services.attempts import (
    AttemptClosed,
    InvalidAnswer,
    close_if_overdue,
    save_answers,
    submit_attempt,
)
from quizzes.views.attempt_page import attempt_page_response
from quizzes.views.session import RATE, RATE_KEY, attempt_for_candidate, check_browser_owns

NEWER_ANSWERS_GRADED = gettext_lazy(
    "Newer answers had been saved in another tab or on another device: those were graded."
)


def _page_number(value: int | None, count: int) -> int:
    return min(max(value or 1, 1), max(count, 1))


def _result(attempt: Attempt) -> HttpResponse:
    # The result page itself says when time ran out (Attempt.time_ran_out).
    return redirect("quizzes:result", public_id=attempt.public_id)


def _remaining_ms(attempt: Attempt, now: datetime) -> int | None:
    if attempt.deadline is None:
        return None
    # Rounded up: the countdown must not reach zero before the deadline.
    return max(0, math.ceil((attempt.deadline - now).total_seconds() * 1000))


@require_http_methods(["GET", "POST"])
@ratelimit(group="submit", key=RATE_KEY, rate=RATE, method="POST")
def attempt_page(request: HttpRequest, public_id) -> HttpResponse:
    if request.method == "POST":
        attempt = attempt_for_candidate(request, public_id)
        if not attempt.is_open:
            return _result(attempt)
        return _attempt_post(request, attempt, presented_questions(attempt))
    check_browser_owns(request, public_id)
    loaded = attempt_for_page(public_id)
    if loaded is None:
        raise Http404
    if not loaded.is_open or close_if_overdue(attempt=loaded):
        return _result(loaded)
    return attempt_page_response(request, loaded)


def _attempt_post(
    request: HttpRequest, attempt: Attempt, questions: list[PresentedQuestion]
) -> HttpResponse:
    """Submit (button "finish", or no button: the timer and old forms) or save and move.

    The Submit button ("submit") saves and asks for confirmation first (the script asks
    on the page and then sends "finish").
    """
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
    seq = bookkeeping.cleaned_data["seq"]
    if action == "finish":
        outcome = submit_attempt(attempt_id=attempt.pk, selections=form.selections(), seq=seq)
        if not outcome.graded_now:
            messages.info(request, _("This attempt was already submitted; here is its result."))
        elif outcome.kept_newer_answers:
            messages.warning(request, NEWER_ANSWERS_GRADED)
        return _result(outcome.attempt)
    try:
        save_answers(attempt_id=attempt.pk, selections=form.selections(), seq=seq)
    except AttemptClosed:
        close_if_overdue(attempt=attempt)
        return _result(attempt)
    except InvalidAnswer:
        return render(
            request,
            "quizzes/bad_answer.html",
            {"attempt": attempt, "errors": {"seq": [_("The save number is out of range.")]}},
            status=400,
        )
    if action == "submit":
        return redirect("quizzes:confirm_submit", public_id=attempt.public_id)
    return redirect(_next_page_url(request, attempt, action, len(questions)))


def _next_page_url(request: HttpRequest, attempt: Attempt, action: str, count: int) -> str:
    navigation = PageNavigationForm(request.POST)
    if navigation.number("goto") is not None:
        target = _page_number(navigation.number("goto"), count)
    else:
        current = _page_number(navigation.number("page"), count)
        target = {"next": current + 1, "prev": current - 1}.get(action, current)
        target = _page_number(target, count)
    if action == "save":
        messages.success(request, _("Your answers are saved. You can continue later."))
    url = attempt.get_absolute_url()
    if attempt.quiz.navigation == Quiz.Navigation.PAGED:
        url += f"?q={target}"
    return url


@require_http_methods(["GET", "POST"])
@ratelimit(group="submit", key=RATE_KEY, rate=RATE, method="POST")
def confirm_submit(request: HttpRequest, public_id) -> HttpResponse:
    """Submit with what is saved, after a page listing the questions still unanswered.

    The Submit button leads here without JavaScript (the script asks on the attempt page
    itself). The post submits the saved answers as they are.
    """
    attempt = attempt_for_candidate(request, public_id)
    if not attempt.is_open:
        return _result(attempt)
    if request.method == "POST":
        outcome = submit_attempt(attempt_id=attempt.pk)
        if not outcome.graded_now:
            messages.info(request, _("This attempt was already submitted; here is its result."))
        return _result(outcome.attempt)
    if close_if_overdue(attempt=attempt):
        return _result(attempt)
    questions = presented_questions(attempt)
    saved = saved_choices(attempt)
    url = attempt.get_absolute_url()
    paged = attempt.quiz.navigation == Quiz.Navigation.PAGED
    unanswered = [
        {
            "number": q["number"],
            "url": f"{url}?q={q['number']}"
            if paged
            else f"{url}#{question_element_id(attempt.tokens.question(q['id']))}",
        }
        for q in questions
        if not saved.get(q["id"])
    ]
    remaining_ms = _remaining_ms(attempt, timezone.now())
    return render(
        request,
        "quizzes/confirm_submit.html",
        {
            "attempt": attempt,
            "question_count": len(questions),
            "answered_count": len(questions) - len(unanswered),
            "unanswered": unanswered,
            "remaining_seconds": None if remaining_ms is None else remaining_ms // 1000,
        },
    )


@require_POST
@ratelimit(group="autosave", key=RATE_KEY, rate=RATE)
def autosave(request: HttpRequest, public_id) -> JsonResponse:
    """The page's background save: answers shown on the page plus integrity signals."""
    attempt = attempt_for_candidate(request, public_id)
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
    attempt = attempt_for_candidate(request, public_id)
    if attempt.is_open:
        if not close_if_overdue(attempt=attempt):
            return redirect(attempt)
        attempt = attempt_for_candidate(request, public_id)
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
