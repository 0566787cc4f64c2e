"""Django admin: authors edit content here; attempts are shown read-only."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from quizzes.models import Answer, Attempt, Option, Question, Quiz


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "text", "kind", "points", "published"]
    extra = 0
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "access", "question_count", "updated_at"]
    list_filter = ["published", "access", "grading_strategy"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline]
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


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["position", "text", "verdict", "feedback"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "quiz", "position", "kind", "points", "published"]
    list_filter = ["quiz", "kind", "published"]
    search_fields = ["text", "explanation", "options__text"]
    list_select_related = ["quiz"]
    inlines = [OptionInline]
    fields = [
        "quiz",
        "position",
        "text",
        "kind",
        "points",
        "partial_fraction",
        "grading_strategy",
        "explanation",
        "published",
    ]


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
