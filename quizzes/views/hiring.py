"""Recruiters' hiring decision on an attempt: its status, changed with who and when."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quizzes.forms import HiringStatusForm
from quizzes.services.review import set_hiring_status
from quizzes.views.review import StaffRequest, _get_attempt, _render_detail, staff_permission


@require_POST
@staff_permission("quizzes.view_attempt", "quizzes.set_hiring_status")
def attempt_hiring_status(request: StaffRequest, public_id: UUID) -> HttpResponse:
    attempt = _get_attempt(public_id)
    form = HiringStatusForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, attempt, forms={"status": form}, status=400)
    if set_hiring_status(attempt=attempt, status=form.cleaned_data["status"], user=request.user):
        messages.success(
            request,
            _("Hiring status: %(status)s.") % {"status": attempt.get_hiring_status_display()},
        )
    else:
        messages.info(
            request,
            _("The hiring status was already %(status)s.")
            % {"status": attempt.get_hiring_status_display()},
        )
    return redirect("quizzes:review_attempt", public_id=attempt.public_id)
