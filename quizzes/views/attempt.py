"""The attempt itself: answering, background saves, submitting and the result."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from quizzes.content import PresentedQuestion
from quizzes.forms import AnswerForm, AutosaveForm, PageNavigationForm, shown_questions
from quizzes.models import Attempt, Quiz
from quizzes.selectors.candidate import presented_questions
from quizzes.selectors.results import attempt_review
from quizzes.services.attempts import (
    AttemptClosed,
    InvalidAnswer,
    close_if_overdue,
    save_answers,
    submit_attempt,
)
from quizzes.views.session import RATE, RATE_KEY, attempt_for_candidate


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
    attempt = attempt_for_candidate(request, public_id)
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
