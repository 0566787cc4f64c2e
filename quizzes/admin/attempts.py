"""Attempt review in the admin: attempts and their answers, shown read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from quizzes.models import Answer, Attempt

# The attempt page lists every field read-only: both lists feed readonly_fields and fieldsets.
ATTEMPT_FIELDS = (
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
)
INTEGRITY_FIELDS = (
    "focus_lost_count",
    "hidden_count",
    "copy_count",
    "paste_count",
    "total_time_spent",
)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("question_id", "selected", "points", "override_points", "saved_at", "time_spent")
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
    inlines = [AnswerInline]
    readonly_fields = (*ATTEMPT_FIELDS, *INTEGRITY_FIELDS)
    fieldsets = [
        (None, {"fields": ATTEMPT_FIELDS}),
        (
            _("Integrity signals"),
            {
                "description": _(
                    "Recorded by the candidate's browser while answering. These are signals "
                    "for a conversation, not proof of cheating: switching windows or copying "
                    "text has many innocent reasons, and a browser without JavaScript reports "
                    "nothing. Time per question is listed with the answers below."
                ),
                "fields": INTEGRITY_FIELDS,
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz", "revision", "invite")

    @admin.display(description=_("time spent on questions, s"))
    def total_time_spent(self, attempt):
        return sum(answer.time_spent for answer in attempt.answers.all())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Attempts are evidence: the admin shows them, services change them.
        return False
