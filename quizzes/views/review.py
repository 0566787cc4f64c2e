"""Recruiters' pages: the attempts list, one attempt in detail, statistics and CSV export.

Every page needs a signed-in staff user (anyone else goes to the login page) holding the
page's permission (others get 403): Recruiters have them through their group, Authors do
not, superusers have all.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from quizzes import charts, exports, statistics
from quizzes.content import question_by_id
from quizzes.forms import (
    AttemptFilterForm,
    AttemptNoteForm,
    AttemptRatingForm,
    ExportOptionsForm,
    HiringStatusForm,
    ScoreOverrideForm,
    StatisticsVersionForm,
)
from quizzes.models import Attempt, Quiz
from quizzes.selectors.exports import export_attempts
from quizzes.selectors.exposure import exposure_report
from quizzes.selectors.results import ReviewedQuestion, attempt_review
from quizzes.selectors.review import (
    attempt_allowance,
    attempt_history,
    attempt_standing,
    quiz_revisions,
    review_attempts,
)
from quizzes.selectors.statistics import statistics_report
from quizzes.services.admission import GrantRefused, grant_extra_attempt
from quizzes.services.review import (
    ReviewError,
    add_attempt_note,
    override_question_score,
    rate_attempt,
)

PAGE_SIZE = 50
FLAG_LABELS = {
    statistics.QuestionFlag.LOW_DISCRIMINATION: gettext_lazy("low discrimination"),
    statistics.QuestionFlag.TOO_HARD: gettext_lazy("too hard"),
    statistics.QuestionFlag.TOO_EASY: gettext_lazy("too easy"),
}


class StaffRequest(HttpRequest):
    """A request that passed `staff_permission`: its user is signed in."""

    user: User


def _is_active_staff(user) -> bool:
    return user.is_active and user.is_staff


def staff_permission(*permissions: str):
    """Staff login first (redirect), then the permissions (403).

    The order matters for anonymous users. Staff status is checked as the admin checks
    it, so unticking it revokes access even while the user is still in a group.
    """

    def decorator(view):
        checked = permission_required(permissions, raise_exception=True)(view)
        return user_passes_test(_is_active_staff)(checked)

    return decorator


def _filter_form(request: HttpRequest) -> AttemptFilterForm:
    form = AttemptFilterForm(request.GET)
    form.is_valid()
    return form


@require_GET
@staff_permission("quizzes.view_attempt")
def attempt_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    attempts = review_attempts(form.filters())
    page = Paginator(attempts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/attempt_list.html",
        {"form": form, "page_obj": page, "filters": form.filters()},
    )


def _get_attempt(public_id: UUID) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("quiz", "revision", "invite"), public_id=public_id
    )


def _render_detail(
    request: StaffRequest,
    attempt: Attempt,
    *,
    forms: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    review = attempt_review(attempt)
    forms = forms or {}
    override_form = forms.get("override")
    can_override = (
        request.user.has_perm("quizzes.override_score")
        and attempt.state != Attempt.State.IN_PROGRESS
    )
    cards: list[tuple[ReviewedQuestion, Form | None]] = []
    for question in review:
        form: Form | None = None
        if (
            can_override
            and override_form is not None
            and override_form.data.get("question_id") == str(question.question_id)
        ):
            form = override_form
        elif can_override:
            form = ScoreOverrideForm(
                initial={"question_id": question.question_id, "points": question.points},
                max_points=question.max_points,
                auto_id=f"id_q{question.question_id}_%s",
            )
        cards.append((question, form))
    history = attempt_history(attempt, {q.question_id: q.number for q in review})
    context = {
        "attempt": attempt,
        "cards": cards,
        "standing": attempt_standing(attempt),
        "allowance": attempt_allowance(attempt),
        "notes": attempt.notes.select_related("author").order_by("created_at"),
        "history": history,
        # Who set the current hiring status, and when: its newest change.
        "status_set": next((entry.status for entry in history if entry.status), None),
        "status_form": forms.get("status")
        or HiringStatusForm(initial={"status": attempt.hiring_status}),
        "note_form": forms.get("note") or AttemptNoteForm(),
        "rating_form": forms.get("rating") or AttemptRatingForm(initial={"rating": attempt.rating}),
        # Errors of an override no question's form shows: aimed at no question of this
        # attempt (a forged request), or at an attempt that cannot be overridden.
        "stray_override": (
            override_form if not any(form is override_form for _, form in cards) else None
        ),
    }
    return render(request, "review/attempt_detail.html", context, status=status)


@require_GET
@staff_permission("quizzes.view_attempt")
def attempt_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    return _render_detail(request, _get_attempt(public_id))


@require_POST
@staff_permission("quizzes.view_attempt", "quizzes.add_attemptnote")
def attempt_note(request: StaffRequest, public_id: UUID) -> HttpResponse:
    attempt = _get_attempt(public_id)
    form = AttemptNoteForm(request.POST)
    if form.is_valid():
        try:
            add_attempt_note(attempt=attempt, author=request.user, text=form.cleaned_data["text"])
        except ReviewError as error:
            form.add_error("text", str(error))
    if not form.is_valid():
        return _render_detail(request, attempt, forms={"note": form}, status=400)
    messages.success(request, _("The note was added."))
    return redirect("quizzes:review_attempt", public_id=attempt.public_id)


@require_POST
@staff_permission("quizzes.view_attempt", "quizzes.change_attempt")
def attempt_rate(request: StaffRequest, public_id: UUID) -> HttpResponse:
    attempt = _get_attempt(public_id)
    form = AttemptRatingForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, attempt, forms={"rating": form}, status=400)
    rate_attempt(attempt=attempt, rating=form.cleaned_data["rating"], user=request.user)
    messages.success(request, _("The rating was saved."))
    return redirect("quizzes:review_attempt", public_id=attempt.public_id)


def _max_points(attempt: Attempt, question_id: str | None) -> Decimal | None:
    """The most points a question of the attempt gives; None for any other question."""
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not question_id or not (question_id.isascii() and question_id.isdigit()):
        return None
    question = question_by_id(attempt.revision.content, int(question_id))
    return Decimal(question["points"]) if question is not None else None


@require_POST
@staff_permission("quizzes.view_attempt", "quizzes.override_score")
def attempt_override(request: StaffRequest, public_id: UUID) -> HttpResponse:
    attempt = _get_attempt(public_id)
    form = ScoreOverrideForm(
        request.POST, max_points=_max_points(attempt, request.POST.get("question_id"))
    )
    if form.is_valid():
        try:
            override_question_score(
                attempt=attempt,
                question_id=form.cleaned_data["question_id"],
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ReviewError as error:
            form.add_error(None, str(error))
    if not form.is_valid():
        return _render_detail(request, attempt, forms={"override": form}, status=400)
    messages.success(request, _("The score was overridden and recorded in the history."))
    return redirect("quizzes:review_attempt", public_id=attempt.public_id)


@require_POST
@staff_permission("quizzes.view_attempt", "quizzes.add_attemptgrant")
def attempt_grant(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Allow the candidate one more attempt of the quiz; recorded with who and when."""
    attempt = _get_attempt(public_id)
    try:
        grant_extra_attempt(attempt=attempt, user=request.user)
    except GrantRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s may make one more attempt.") % {"name": attempt.candidate_name},
        )
    return redirect("quizzes:review_attempt", public_id=attempt.public_id)


def _invalid_filters(request: HttpRequest, form: Form) -> HttpResponse:
    """The export's answer to filters the list would show with errors: nothing streamed."""
    problems = "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(map(str, errors))}"
        for name, errors in form.errors.items()
    )
    reason = _("The filters are not valid, so nothing was exported: %(problems)s") % {
        "problems": problems
    }
    return render(request, "400.html", {"reason": reason}, status=400)


@require_GET
@staff_permission("quizzes.view_attempt")
def attempt_export(request: HttpRequest) -> HttpResponseBase:
    form = _filter_form(request)
    options = ExportOptionsForm(request.GET)
    if form.errors or not options.is_valid():
        # Checked before the first byte: once streaming starts, an error cannot be shown.
        return _invalid_filters(request, form if form.errors else options)
    filters = form.filters()
    revisions = quiz_revisions(filters.quiz) if filters.quiz else {}
    lines = exports.csv_lines(
        export_attempts(filters),
        columns=exports.question_columns(revisions.values()),
        revision_options=exports.revision_option_labels(revisions),
        dialect=exports.dialect(options.cleaned_data["delimiter"], get_language()),
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"attempts-{filters.quiz.slug if filters.quiz else 'all'}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _statistics_report(request: HttpRequest, slug: str):
    """The quiz, the report of the requested version (else the newest), and whether a
    version was asked for that is not there (malformed, or of no finished attempt)."""
    quiz = get_object_or_404(Quiz, slug=slug)
    form = StatisticsVersionForm(request.GET)
    version = form.cleaned_data["version"] if form.is_valid() else None
    report = statistics_report(quiz, version)
    missing = bool(form.errors) or (
        version is not None and report is not None and version not in report.version.revision_ids
    )
    return quiz, report, missing


@require_GET
@staff_permission("quizzes.view_attempt")
def quiz_statistics(request: HttpRequest, slug: str) -> HttpResponse:
    quiz, report, version_missing = _statistics_report(request, slug)
    questions = []
    if report is not None:
        texts = {question["id"]: question for question in report.content["questions"]}
        for item in report.stats.questions:
            options = {option["id"]: option for option in texts[item.question_id]["options"]}
            questions.append(
                {
                    "stats": item,
                    "text_html": texts[item.question_id]["text_html"],
                    "flags": [FLAG_LABELS[flag] for flag in item.flags],
                    "options": [
                        (count, options[count.option_id]["text_html"])
                        for count in item.option_counts
                    ],
                }
            )
    return render(
        request,
        "review/statistics.html",
        {
            "quiz": quiz,
            "report": report,
            "questions": questions,
            # Each question's and section's figures over every attempt that had it.
            "exposure": exposure_report([quiz]) if report is not None else None,
            # The page then shows the newest version, and says so.
            "version_missing": version_missing,
        },
    )


SVG_HEADERS = {
    # The SVG is ours, but belt and braces: no scripts even if it were opened directly.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=60",
}


def _svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    for name, value in SVG_HEADERS.items():
        response[name] = value
    return response


@require_GET
@staff_permission("quizzes.view_attempt")
def quiz_histogram(request: HttpRequest, slug: str) -> HttpResponse:
    _quiz, report, version_missing = _statistics_report(request, slug)
    if report is None or version_missing:
        # A chart shows the version it names or nothing; its page links only existing ones.
        raise Http404
    return _svg_response(
        charts.histogram_svg(
            report.stats.totals,
            max_value=report.stats.max_total,
            title=_("Scores of finished attempts"),
            x_label=_("Score"),
            y_label=_("Attempts"),
            no_data_text=_("No data"),
        )
    )


@require_GET
@staff_permission("quizzes.view_attempt")
def question_option_chart(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    _quiz, report, version_missing = _statistics_report(request, slug)
    if version_missing:
        raise Http404
    item = next(
        (q for q in (report.stats.questions if report else ()) if q.question_id == question_id),
        None,
    )
    if item is None:
        raise Http404
    question = next(q for q in report.content["questions"] if q["id"] == question_id)
    texts = {option["id"]: option["text"] for option in question["options"]}
    bars = [
        (f"{count.label}. {texts.get(count.option_id, '')}", count.count, count.verdict)
        for count in item.option_counts
    ]
    bars.append((_("no answer"), item.no_answer, "none"))
    return _svg_response(
        charts.bar_chart_svg(
            bars,
            title=_("Question %(number)s: how often each option was chosen")
            % {"number": item.position},
            no_data_text=_("No data"),
        )
    )
