"""Recruiters' documents: the .xlsx export, attempts side by side, a printable report.

The same permission as the attempts list and an attempt's page (quizzes.view_attempt, staff
only; see views.review.staff_permission).
"""

from __future__ import annotations

import tempfile
from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from quizzes import exports, spreadsheet
from quizzes.selectors.comparison import ComparisonRefused, compare_attempts
from quizzes.selectors.exports import export_rows
from quizzes.selectors.results import attempt_review
from quizzes.selectors.review import quiz_revisions
from quizzes.views.review import _filter_form, _get_attempt, _invalid_filters, staff_permission


@require_GET
@staff_permission("quizzes.view_attempt")
def attempt_export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The filtered attempts as an Excel workbook, the same rows as the CSV.

    XlsxWriter writes the workbook in constant memory into a temporary file (a zip cannot
    be finished before its last row), which is then streamed and deleted on close.
    """
    form = _filter_form(request)
    if form.errors:
        return _invalid_filters(request, form)
    filters = form.filters()
    revisions = quiz_revisions(filters.quiz) if filters.quiz else {}
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    try:
        spreadsheet.write_attempts(
            target,
            export_rows(filters),
            columns=exports.question_columns(revisions.values()),
            revision_options=exports.revision_option_labels(revisions),
        )
        target.seek(0)
    except BaseException:
        target.close()
        raise
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"attempts-{filters.quiz.slug if filters.quiz else 'all'}-{stamp}.xlsx"
    return FileResponse(
        target, as_attachment=True, filename=name, content_type=spreadsheet.XLSX_CONTENT_TYPE
    )


def _public_ids(values: list[str]) -> list[UUID] | None:
    """The ids a comparison asks for; None if any is not an attempt's id at all."""
    try:
        return [UUID(value) for value in values]
    except ValueError:
        return None


@require_GET
@staff_permission("quizzes.view_attempt")
def compare(request: HttpRequest) -> HttpResponse:
    """2 to 5 attempts of one quiz side by side (?ids=…&ids=…, chosen on the list)."""
    ids = _public_ids(request.GET.getlist("ids"))
    try:
        if ids is None:
            raise ComparisonRefused(
                _("The link names an attempt that does not exist. Choose the attempts again.")
            )
        comparison = compare_attempts(ids)
    except ComparisonRefused as refusal:
        return render(request, "review/compare_refused.html", {"reason": str(refusal)}, status=400)
    return render(request, "review/compare.html", {"comparison": comparison})


@require_GET
@staff_permission("quizzes.view_attempt")
def attempt_report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One attempt on paper: no staff chrome, print styles, to save as PDF from the browser."""
    attempt = _get_attempt(public_id)
    return render(
        request,
        "review/report.html",
        {"attempt": attempt, "review": attempt_review(attempt), "printed_at": timezone.now()},
    )
