"""Quiz import in the admin: upload a markdown file, check the dry-run preview, confirm."""

import base64

from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quizzes import formats
from quizzes.admin.forms import ImportConfirmForm, ImportUploadForm
from quizzes.admin.samples import format_guides, formats_intro, sample_file
from quizzes.format_problems import ShownProblem, problem_message, shown_problems
from quizzes.selectors.authoring import import_plan
from quizzes.services.importing import (
    ImportRefused,
    import_errors,
    import_quiz,
    quiz_slug,
    text_problems,
)

IMPORT_SALT = "quizzes.admin.import"
# The preview's signed copy of the upload is honoured this long (seconds).
IMPORT_MAX_AGE = 6 * 60 * 60


class QuizImportAdmin(admin.ModelAdmin):
    """The quiz admin's "Import from file" page (admin:quizzes_quiz_import)."""

    def has_import_permission(self, request) -> bool:
        # An import creates a quiz or rewrites one in place.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="quizzes_quiz_import",
            ),
            path(
                "import/sample/<str:format>/",
                self.admin_site.admin_view(self.import_sample_view),
                name="quizzes_quiz_import_sample",
            ),
            *super().get_urls(),
        ]

    def import_sample_view(self, request, format: str):
        """A small quiz in `format`, to download and start from (linked from the import page)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if format not in formats.FORMATS:
            raise Http404
        response = HttpResponse(sample_file(format), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="sample.{format}.md"'
        return response

    def import_view(self, request):
        """Upload -> preview (nothing written) -> confirm -> import, then the quiz page.

        The uploaded bytes travel between the two steps inside a signed hidden field,
        so nothing is written to disk and a tampered copy is refused.
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a quiz from a file"),
            "opts": self.model._meta,
            "formats_intro": formats_intro(),
            "format_guides": format_guides(),
        }
        if request.method == "POST" and "payload" in request.POST:
            return self._import_confirmed(request, context)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"]
            file_name = request.FILES["file"].name
            result = formats.parse(data, format=form.cleaned_data["format"] or None)
            too_large = import_errors(result.quiz) if result.ok and result.quiz else []
            context.update(result=result, file_name=file_name, import_errors=too_large)
            context.update(self._shown(result))
            if result.ok and result.quiz is not None and not too_large:
                slug = form.cleaned_data["slug"] or quiz_slug(result.quiz.title)
                payload = {
                    "data": base64.b64encode(data).decode("ascii"),
                    "format": result.format,
                    "slug": slug,
                    "publish": form.cleaned_data["publish"],
                    "name": file_name,
                }
                context.update(
                    plan=import_plan(result.quiz, slug),
                    confirm_form=ImportConfirmForm(
                        initial={"payload": signing.dumps(payload, salt=IMPORT_SALT, compress=True)}
                    ),
                )
        context["form"] = form
        return TemplateResponse(request, "admin/quizzes/quiz/import.html", context)

    def _import_confirmed(self, request, context):
        form = ImportConfirmForm(request.POST)
        try:
            if not form.is_valid():
                raise signing.BadSignature
            payload = signing.loads(
                form.cleaned_data["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
            )
        except signing.BadSignature:
            self.message_user(
                request,
                _(
                    "The preview expired or was altered; nothing was imported. "
                    "Upload the file again."
                ),
                messages.ERROR,
            )
            return redirect("admin:quizzes_quiz_import")
        result = formats.parse(base64.b64decode(payload["data"]), format=payload["format"])
        if not result.ok or result.quiz is None:
            # Same bytes, same parser: only a parser change between the steps lands here.
            context.update(result=result, file_name=payload["name"], form=ImportUploadForm())
            context.update(self._shown(result))
            return TemplateResponse(request, "admin/quizzes/quiz/import.html", context)
        try:
            summary = import_quiz(
                parsed=result.quiz, slug=payload["slug"], publish=payload["publish"]
            )
        except ImportRefused as error:
            # The limits were lowered between the preview and the confirmation.
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:quizzes_quiz_import")
        self._report_import(request, summary, result, file_name=payload["name"])
        return redirect(reverse("admin:quizzes_quiz_change", args=[summary.quiz.pk]))

    @staticmethod
    def _shown(result: formats.ParseResult) -> dict:
        """The preview's repairs, errors and warnings in the reader's language."""
        warnings = shown_problems(result.warnings)
        if result.ok and result.quiz:
            warnings += [ShownProblem(None, text) for text in text_problems(result.quiz)[1]]
        return {
            "parse_repairs": [problem_message(repair) for repair in result.repairs],
            "parse_errors": shown_problems(result.errors),
            "parse_warnings": warnings,
        }

    def _report_import(self, request, summary, result, file_name: str):
        """Record the import in the quiz's history; tell the author the outcome and any warnings."""
        note = gettext("Imported from %(name)s") % {"name": file_name}
        if summary.created:
            self.log_addition(request, summary.quiz, note)
            message = _("Created “%(title)s” with %(count)d questions.")
        else:
            self.log_change(request, summary.quiz, note)
            message = _(
                "Updated “%(title)s”: %(added)d questions added, %(changed)d changed, "
                "%(removed)d removed."
            )
        self.message_user(
            request,
            message
            % {
                "title": summary.quiz.title,
                "count": len(result.quiz.questions),
                "added": summary.questions_created,
                "changed": summary.questions_updated,
                "removed": summary.questions_deleted,
            },
            messages.SUCCESS,
        )
        for warning in shown_problems(result.warnings):
            self.message_user(request, str(warning), messages.WARNING)
