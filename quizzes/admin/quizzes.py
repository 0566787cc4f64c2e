"""Django admin: authors edit content here; attempts are shown read-only."""

import base64
import io
import zipfile

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from quizzes import formats, selectors, services
from quizzes.admin.forms import (
    COMPACT_TEXT,
    ImportConfirmForm,
    ImportUploadForm,
    OrderedInlineFormSet,
)
from quizzes.models import Question, Quiz

IMPORT_SALT = "quizzes.admin.import"
# The preview's signed copy of the upload is honoured this long (seconds).
IMPORT_MAX_AGE = 6 * 60 * 60


class QuestionInline(SortableTabularInline):
    """Questions of a quiz, reordered by drag and drop (positions are set for you)."""

    model = Question
    formset = OrderedInlineFormSet
    ordering = ["position", "id"]
    fields = ["text", "kind", "points", "published"]
    formfield_overrides = COMPACT_TEXT
    extra = 0
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(SortableAdminBase, admin.ModelAdmin):
    list_display = ["title", "slug", "published", "access", "question_count", "updated_at"]
    list_filter = ["published", "access", "grading_strategy"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline]
    actions = [
        "publish",
        "unpublish",
        "duplicate",
        "export_seed",
        "export_tasklist",
        "regrade_attempts",
    ]
    change_list_template = "admin/quizzes/quiz/change_list.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "published", "access"]}),
        (_("Grading"), {"fields": ["grading_strategy", "pass_mark"]}),
        (
            _("Candidate experience"),
            {
                "fields": [
                    "time_limit",
                    "navigation",
                    "shuffle_questions",
                    "shuffle_options",
                    "review_policy",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, quiz):
        return quiz.question_total

    @admin.action(description=_("Publish selected quizzes"))
    def publish(self, request, queryset):
        changed = services.set_quizzes_published(quizzes=queryset, published=True)
        message = ngettext("%(count)d quiz published.", "%(count)d quizzes published.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Unpublish selected quizzes"))
    def unpublish(self, request, queryset):
        changed = services.set_quizzes_published(quizzes=queryset, published=False)
        message = ngettext("%(count)d quiz unpublished.", "%(count)d quizzes unpublished.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Duplicate selected quizzes (unpublished copies)"))
    def duplicate(self, request, queryset):
        for quiz in queryset:
            copy = services.duplicate_quiz(quiz=quiz)
            self.log_addition(request, copy, [{"added": {}}])
            self.message_user(
                request,
                _("“%(title)s” copied as %(slug)s (unpublished).")
                % {"title": quiz.title, "slug": copy.slug},
                messages.SUCCESS,
            )

    @admin.action(description=_("Export as markdown, seed format (✅ ❌ ⚠️)"))
    def export_seed(self, request, queryset):
        return self._export(request, queryset, formats.SEED)

    @admin.action(description=_("Export as markdown, task-list format (- [x])"))
    def export_tasklist(self, request, queryset):
        return self._export(request, queryset, formats.TASKLIST)

    def _export(self, request, queryset, format: str):
        """One quiz downloads as a .md file; several as a .zip of .md files."""
        files = []
        for quiz in queryset.order_by("slug"):
            try:
                text = formats.write(selectors.parsed_quiz(quiz), format)
            except ValueError as error:
                self.message_user(
                    request,
                    _("“%(title)s” cannot be exported in this format: %(error)s")
                    % {"title": quiz.title, "error": error},
                    messages.ERROR,
                )
                return None
            files.append((f"{quiz.slug}.{format}.md", text.encode("utf-8")))
        if len(files) == 1:
            name, content = files[0]
            response = HttpResponse(content, content_type="text/markdown; charset=utf-8")
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for file_name, content in files:
                    archive.writestr(file_name, content)
            name, response = (
                f"quizzes.{format}.zip",
                HttpResponse(buffer.getvalue(), content_type="application/zip"),
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    # --- import from a file, with a dry-run preview ---------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="quizzes_quiz_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload -> preview (nothing written) -> confirm -> import, then the quiz page.

        The uploaded bytes travel between the two steps inside a signed hidden field,
        so nothing is written to disk and a tampered copy is refused.
        """
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a quiz from a file"),
            "opts": self.model._meta,
        }
        if request.method == "POST" and "payload" in request.POST:
            return self._import_confirmed(request, context)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"]
            result = formats.parse(data, format=form.cleaned_data["format"] or None)
            context.update(result=result, file_name=form.files["file"].name)
            if result.ok and result.quiz is not None:
                slug = form.cleaned_data["slug"] or services.quiz_slug(result.quiz.title)
                payload = {
                    "data": base64.b64encode(data).decode("ascii"),
                    "format": result.format,
                    "slug": slug,
                    "publish": form.cleaned_data["publish"],
                    "name": form.files["file"].name,
                }
                context.update(
                    plan=selectors.import_plan(result.quiz, slug),
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
            return TemplateResponse(request, "admin/quizzes/quiz/import.html", context)
        summary = services.import_quiz(
            parsed=result.quiz, slug=payload["slug"], publish=payload["publish"]
        )
        note = gettext("Imported from %(name)s") % {"name": payload["name"]}
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
        for warning in result.warnings:
            self.message_user(
                request,
                gettext("line %(line)s: %(message)s")
                % {"line": warning.line or "—", "message": warning.message},
                messages.WARNING,
            )
        return redirect(reverse("admin:quizzes_quiz_change", args=[summary.quiz.pk]))

    @admin.action(description=_("Regrade attempts with the current verdicts"))
    def regrade_attempts(self, request, queryset):
        """Show a dry run first; regrade only after the confirmation form is posted."""
        confirmed = request.POST.get("confirm") == "yes"
        reports = [
            (
                quiz,
                services.regrade_quiz_attempts(quiz=quiz, dry_run=not confirmed, user=request.user),
            )
            for quiz in queryset
        ]
        if confirmed:
            changed = sum(len(report.changes) for _, report in reports)
            skipped = sum(len(report.skipped) for _, report in reports)
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
            return None
        return TemplateResponse(
            request,
            "admin/quizzes/quiz/regrade_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Regrade attempts"),
                "reports": reports,
                "queryset": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
