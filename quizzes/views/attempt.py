"""The attempt itself: answering, background saves, submitting and the result."""

import math
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, TypeVar

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from quizzes.answers import Refused, read_answers
from quizzes.forms import ANSWER_PROBLEMS, PageNavigationForm
from quizzes.models import Attempt, Quiz
from quizzes.opaque import question_element_id
from quizzes.selectors.answering import attempt_is_open, quiz_is_paged, revision_answer_key
from quizzes.selectors.attempt_state import AttemptFacts
from quizzes.selectors.candidate import attempt_for_page, presented_questions, saved_choices
from quizzes.selectors.results import attempt_review
from quizzes.services.attempts import close_if_overdue, submit_attempt
from quizzes.services.saving import AttemptClosed, InvalidAnswer, record_save, save_answers
from quizzes.views.attempt_page import attempt_page_response
from quizzes.views.session import (
    RATE,
    RATE_KEY,
    attempt_for_candidate,
    check_browser_owns,
    facts_for_candidate,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_Response = TypeVar("_Response", bound=HttpResponse)

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
        return _attempt_post(request, facts_for_candidate(request, public_id))
    check_browser_owns(request, public_id)
    loaded = attempt_for_page(public_id)
    if loaded is None:
        raise Http404
    if not loaded.is_open or close_if_overdue(attempt=loaded):
        return _result(loaded)
    return attempt_page_response(request, loaded)


def _gone_is_404(view: Callable[..., _Response]) -> Callable[..., _Response]:
    """An attempt deleted while its page was open: its facts outlive it in the cache."""

    @wraps(view)
    def checked(*args, **kwargs) -> _Response:
        try:
            return view(*args, **kwargs)
        except Attempt.DoesNotExist:
            raise Http404 from None

    return checked


@_gone_is_404
def _attempt_post(request: HttpRequest, facts: AttemptFacts) -> HttpResponse:
    """Submit (button "finish", or no button: the timer and old forms) or save and move.

    The Submit button ("submit") saves and asks for confirmation first (the script asks
    on the page and then sends "finish").
    """
    key = revision_answer_key(facts.revision_id, facts.content_hash)
    try:
        posted = read_answers(
            request.POST.lists(), key=key, tokens=facts.tokens, default_all=True, timed=False
        )
    except Refused as refused:
        if not attempt_is_open(facts.pk):
            return _result_of(facts)
        return _bad_answer(request, facts, ANSWER_PROBLEMS[refused.problem])
    # No button at all means the countdown's submit (or an old form): finish. A navigator
    # button sends only `goto`.
    action = request.POST.get("action") or ("goto" if "goto" in request.POST else "finish")
    if action == "finish":
        outcome = submit_attempt(attempt_id=facts.pk, selections=posted.selections, seq=posted.seq)
        if not outcome.graded_now and outcome.attempt.state == Attempt.State.SUBMITTED:
            messages.info(request, _("This attempt was already submitted; here is its result."))
        elif outcome.kept_newer_answers:
            messages.warning(request, NEWER_ANSWERS_GRADED)
        return _result(outcome.attempt)
    try:
        save_answers(attempt_id=facts.pk, selections=posted.selections, seq=posted.seq, key=key)
    except AttemptClosed:
        submit_attempt(attempt_id=facts.pk)  # closes it if its time ran out
        return _result_of(facts)
    except InvalidAnswer:
        return _bad_answer(request, facts, _("The save number is out of range."))
    if action == "submit":
        return redirect("quizzes:confirm_submit", public_id=facts.public_id)
    return redirect(_next_page_url(request, facts, action))


def _result_of(facts: AttemptFacts) -> HttpResponse:
    return redirect("quizzes:result", public_id=facts.public_id)


def _bad_answer(request: HttpRequest, facts: AttemptFacts, problem: "StrOrPromise") -> HttpResponse:
    # The page links back to the attempt: its URL is all it needs of it.
    attempt = Attempt(pk=facts.pk, public_id=facts.public_id)
    return render(
        request,
        "quizzes/bad_answer.html",
        {"attempt": attempt, "errors": {NON_FIELD_ERRORS: [problem]}},
        status=400,
    )


def _next_page_url(request: HttpRequest, facts: AttemptFacts, action: str) -> str:
    count = len(facts.layout["questions"])
    navigation = PageNavigationForm(request.POST)
    if navigation.number("goto") is not None:
        target = _page_number(navigation.number("goto"), count)
    else:
        current = _page_number(navigation.number("page"), count)
        target = {"next": current + 1, "prev": current - 1}.get(action, current)
        target = _page_number(target, count)
    if action == "save":
        messages.success(request, _("Your answers are saved. You can continue later."))
    url = reverse("quizzes:attempt", kwargs={"public_id": facts.public_id})
    if quiz_is_paged(facts.quiz_id):
        url += f"?q={target}"
    return url


@require_http_methods(["GET", "POST"])
@ratelimit(group="submit", key=RATE_KEY, rate=RATE, method="POST")
def confirm_submit(request: HttpRequest, public_id) -> HttpResponse:
    """Submit with what is saved, after a page listing the questions still unanswered.

    The Submit button leads here without JavaScript (the script asks on the attempt page
    itself). The post submits the saved answers as they are.
    """
    if request.method == "POST":
        return _confirm_post(request, facts_for_candidate(request, public_id))
    attempt = attempt_for_candidate(request, public_id)
    if not attempt.is_open:
        return _result(attempt)
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


@_gone_is_404
def _confirm_post(request: HttpRequest, facts: AttemptFacts) -> HttpResponse:
    outcome = submit_attempt(attempt_id=facts.pk)
    if not outcome.graded_now and outcome.attempt.state == Attempt.State.SUBMITTED:
        messages.info(request, _("This attempt was already submitted; here is its result."))
    return _result(outcome.attempt)


@require_POST
@ratelimit(group="autosave", key=RATE_KEY, rate=RATE)
@_gone_is_404
def autosave(request: HttpRequest, public_id) -> JsonResponse:
    """The page's background save: answers shown on the page plus integrity signals."""
    facts = facts_for_candidate(request, public_id)
    closed = {"closed": True, "result_url": reverse("quizzes:result", args=[facts.public_id])}
    refused = {"error": _("The answers could not be accepted.")}
    key = revision_answer_key(facts.revision_id, facts.content_hash)
    try:
        posted = read_answers(
            request.POST.lists(), key=key, tokens=facts.tokens, default_all=False, timed=True
        )
    except Refused:
        if not attempt_is_open(facts.pk):
            return JsonResponse(closed, status=409)
        return JsonResponse(refused, status=400)
    try:
        outcome = record_save(
            attempt_id=facts.pk,
            selections=posted.selections,
            seq=posted.seq,
            signals=posted.signals,
            key=key,
        )
    except AttemptClosed:
        return JsonResponse(closed, status=409)
    except InvalidAnswer:
        return JsonResponse(refused, status=400)
    # `seq`: the number the next save has to exceed (a page whose save was stale continues
    # after it).
    return JsonResponse({"saved": outcome.saved, "stale": not outcome.saved, "seq": outcome.seq})


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
