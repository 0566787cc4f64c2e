"""Django admin: authors edit content here; attempts are shown read-only."""

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes import services
from quizzes.admin_forms import OptionInlineFormSet, OrderedInlineFormSet
from quizzes.models import Answer, Attempt, Option, Question, Quiz

# Tabular inlines of markdown fields: a few lines each, not the default 10x40 boxes.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}


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
    actions = ["publish", "unpublish", "duplicate", "regrade_attempts"]
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
        self.message_user(
            request,
            ngettext("%(count)d quiz published.", "%(count)d quizzes published.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected quizzes"))
    def unpublish(self, request, queryset):
        changed = services.set_quizzes_published(quizzes=queryset, published=False)
        self.message_user(
            request,
            ngettext("%(count)d quiz unpublished.", "%(count)d quizzes unpublished.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

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


class OptionInline(SortableTabularInline):
    """Options of a question, reordered by drag and drop and validated together."""

    model = Option
    formset = OptionInlineFormSet
    ordering = ["position", "id"]
    fields = ["text", "verdict", "feedback"]
    formfield_overrides = COMPACT_TEXT
    extra = 0


@admin.register(Question)
class QuestionAdmin(SortableAdminBase, admin.ModelAdmin):
    list_display = ["__str__", "quiz", "position", "kind", "points", "published"]
    list_filter = ["quiz", "kind", "published"]
    search_fields = ["text", "explanation", "options__text", "quiz__title"]
    list_select_related = ["quiz"]
    inlines = [OptionInline]
    readonly_fields = ["preview"]
    fields = [
        "quiz",
        "text",
        "kind",
        "points",
        "partial_fraction",
        "grading_strategy",
        "explanation",
        "published",
        "preview",
    ]

    @admin.display(description=_("Preview"))
    def preview(self, question):
        """The saved question as candidates and reviewers see it (same sanitizing renderer)."""
        if question.pk is None:
            return _("Save the question to see a preview.")
        return render_to_string(
            "admin/quizzes/question/preview.html",
            {"question": question, "options": question.options.order_by("position", "id")},
        )

    def save_model(self, request, obj, form, change):
        # Positions are never typed: a new question, or one moved to another quiz, goes last.
        if not change or "quiz" in form.changed_data:
            obj.position = services.next_position(Question, quiz=obj.quiz)
        super().save_model(request, obj, form, change)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question_id", "selected", "points", "override_points", "saved_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = [
        "candidate_name",
        "candidate_email",
        "quiz",
        "state",
        "score",
        "max_score",
        "started_at",
        "submitted_at",
    ]
    list_filter = ["quiz", "state"]
    search_fields = ["candidate_name", "candidate_email"]
    list_select_related = ["quiz"]
    date_hierarchy = "started_at"
    inlines = [AnswerInline]
    readonly_fields = [
        "public_id",
        "quiz",
        "revision",
        "invite",
        "candidate_name",
        "candidate_email",
        "state",
        "started_at",
        "deadline",
        "submitted_at",
        "score",
        "max_score",
        "focus_lost_count",
        "hidden_count",
        "copy_count",
        "paste_count",
    ]
    exclude = ["layout", "save_seq", "rating"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Attempts are evidence: the admin shows them, services change them.
        return False
