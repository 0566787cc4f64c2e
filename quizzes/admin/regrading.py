"""Regrading from the quiz list: a dry run first, then the regrade on confirmation.

Applying a regrade changes candidates' scores, and its dry run names them: both need the
regrade_attempts permission (Recruiters). Authors, who fix the verdicts, may run the dry
run too, but it shows them counts only.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.services.regrade import REGRADE_PERMISSION, regrade_quiz_attempts


class QuizRegradeAdmin(admin.ModelAdmin):
    """The quiz list's "Regrade attempts" action and the permissions it declares."""

    def has_regrade_permission(self, request) -> bool:
        return request.user.has_perm(REGRADE_PERMISSION)

    def has_regrade_preview_permission(self, request) -> bool:
        return self.has_regrade_permission(request) or self.has_change_permission(request)

    @admin.action(
        description=_("Regrade attempts with the current verdicts"),
        permissions=["regrade_preview"],
    )
    def regrade_attempts(self, request, queryset):
        """Show a dry run first; regrade only after the confirmation form is posted."""
        may_regrade = self.has_regrade_permission(request)
        if request.POST.get("confirm") == "yes":
            if not may_regrade:
                raise PermissionDenied
            return self._apply_regrade(request, queryset)
        reports = [
            (quiz, regrade_quiz_attempts(quiz=quiz, dry_run=True, user=request.user))
            for quiz in queryset
        ]
        return TemplateResponse(
            request,
            "admin/quizzes/quiz/regrade_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Regrade attempts"),
                # Without the permission the page gets counts only, never an attempt.
                "rows": [
                    (quiz, report.counts(), report if may_regrade else None)
                    for quiz, report in reports
                ],
                "may_regrade": may_regrade,
                "queryset": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _apply_regrade(self, request, queryset) -> None:
        reports = [
            regrade_quiz_attempts(quiz=quiz, dry_run=False, user=request.user) for quiz in queryset
        ]
        changed = sum(len(report.changes) for report in reports)
        skipped = sum(len(report.skipped) for report in reports)
        self.message_user(
            request,
            ngettext(
                "%(changed)d attempt regraded, %(skipped)d skipped.",
                "%(changed)d attempts regraded, %(skipped)d skipped.",
                changed,
            )
            % {"changed": changed, "skipped": skipped},
            messages.SUCCESS,
        )
