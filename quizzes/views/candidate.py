"""Pages candidates see: the quiz list, starting, answering and the result."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from quizzes import selectors, services
from quizzes.forms import AnswerForm, StartAttemptForm
from quizzes.models import Attempt, Quiz

SESSION_ATTEMPTS = "quizzes.attempts"
# Rate limits per client address (settings.RATE_LIMITS); over the limit -> 429 page.
RATE_KEY = "quizzes.security.ratelimit_key"
RATE = "quizzes.security.rate"


def _remember_attempt(request: HttpRequest, attempt: Attempt) -> None:
    attempts = request.session.get(SESSION_ATTEMPTS, [])
    attempts.append(str(attempt.public_id))
    request.session[SESSION_ATTEMPTS] = attempts[-50:]


def _get_attempt_for_candidate(request: HttpRequest, public_id) -> Attempt:
    """The attempt, if this browser started it: an id alone does not grant access."""
    if str(public_id) not in request.session.get(SESSION_ATTEMPTS, []):
        raise Http404
    return get_object_or_404(
        Attempt.objects.select_related("quiz", "revision"), public_id=public_id
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "quizzes/home.html", {"quizzes": selectors.public_quizzes()})


@require_http_methods(["GET", "POST"])
@ratelimit(group="start", key=RATE_KEY, rate=RATE, method="POST")
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(selectors.public_quizzes(), slug=slug)
    form = StartAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = services.start_attempt(quiz=quiz, **form.cleaned_data)
        _remember_attempt(request, attempt)
        return redirect(attempt)
    return render(request, "quizzes/quiz_detail.html", {"quiz": quiz, "form": form})


@require_http_methods(["GET", "POST"])
@ratelimit(group="submit", key=RATE_KEY, rate=RATE, method="POST")
def attempt_page(request: HttpRequest, public_id) -> HttpResponse:
    attempt = _get_attempt_for_candidate(request, public_id)
    if not attempt.is_open:
        return redirect("quizzes:result", public_id=attempt.public_id)
    questions = selectors.presented_questions(attempt)
    if request.method == "POST":
        form = AnswerForm(request.POST, questions=questions)
        if not form.is_valid():
            return render(
                request,
                "quizzes/bad_answer.html",
                {"attempt": attempt, "errors": form.errors},
                status=400,
            )
        outcome = services.submit_attempt(attempt_id=attempt.pk, selections=form.selections())
        if not outcome.graded_now:
            messages.info(request, _("This attempt was already submitted; here is its result."))
        elif outcome.timed_out:
            messages.warning(
                request, _("Time ran out: the answers saved before the deadline were graded.")
            )
        return redirect("quizzes:result", public_id=attempt.public_id)
    saved = {answer.question_id: answer.selected for answer in attempt.answers.all()}
    initial = {}
    for question in questions:
        chosen = [str(option_id) for option_id in saved.get(question["id"], [])]
        initial[f"q_{question['id']}"] = (
            chosen if question["kind"] == "multiple" else (chosen[0] if chosen else None)
        )
    form = AnswerForm(initial=initial, questions=questions)
    return render(request, "quizzes/attempt.html", {"attempt": attempt, "form": form})


@require_GET
def result_page(request: HttpRequest, public_id) -> HttpResponse:
    attempt = _get_attempt_for_candidate(request, public_id)
    if attempt.is_open:
        return redirect(attempt)
    return render(
        request,
        "quizzes/result.html",
        {
            "attempt": attempt,
            "policy": attempt.quiz.review_policy,
            "Policy": Quiz.ReviewPolicy,
            "review": selectors.attempt_review(attempt),
        },
    )
