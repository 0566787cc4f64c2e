"""Django admin: authors edit content here; attempts are shown read-only."""

from contextvars import ContextVar

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes import services
from quizzes.forms import BulkInviteForm
from quizzes.models import Answer, Attempt, Invite, Option, Question, Quiz

# The site's address for full invite links, set per request by the invite admin views:
# list and detail columns get only the object, not the request.
_site_root: ContextVar[str] = ContextVar("site_root", default="")


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
    actions = ["regrade_attempts"]
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
    fields = ["question_id", "selected", "points", "override_points", "saved_at", "time_spent"]
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
        "total_time_spent",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
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
                ]
            },
        ),
        (
            _("Integrity signals"),
            {
                "description": _(
                    "Recorded by the candidate's browser while answering. These are signals "
                    "for a conversation, not proof of cheating: switching windows or copying "
                    "text has many innocent reasons, and a browser without JavaScript reports "
                    "nothing. Time per question is listed with the answers below."
                ),
                "fields": [
                    "focus_lost_count",
                    "hidden_count",
                    "copy_count",
                    "paste_count",
                    "total_time_spent",
                ],
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


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "candidate_name",
        "quiz",
        "uses_display",
        "expires_at",
        "status",
        "link",
        "created_at",
    ]
    list_filter = ["quiz"]
    search_fields = ["candidate_name", "candidate_email", "quiz__title"]
    list_select_related = ["quiz"]
    fields = [
        "quiz",
        "candidate_name",
        "candidate_email",
        "max_uses",
        "expires_at",
        "uses",
        "link",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["uses", "link", "created_by", "created_at"]
    change_list_template = "admin/quizzes/invite/change_list.html"

    def get_urls(self):
        return [
            path(
                "bulk/",
                self.admin_site.admin_view(self.bulk_create_view),
                name="quizzes_invite_bulk",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        token = _site_root.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return super().changelist_view(request, extra_context).render()
        finally:
            _site_root.reset(token)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        token = _site_root.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            return response.render() if hasattr(response, "render") else response
        finally:
            _site_root.reset(token)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        messages.info(
            request,
            _("Invite link for %(who)s: %(url)s")
            % {"who": obj, "url": request.build_absolute_uri(obj.get_absolute_url())},
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("uses"))
    def uses_display(self, invite):
        return f"{invite.uses} / {invite.max_uses}"

    @admin.display(description=_("status"))
    def status(self, invite):
        reason = invite.unavailable_reason()
        return {"expired": _("expired"), "used_up": _("used up")}.get(reason, _("active"))

    @admin.display(description=_("invite link"))
    def link(self, invite):
        if not invite.pk:
            return _("The link appears here after saving.")
        url = _site_root.get() + invite.get_absolute_url()
        return format_html(
            '<input type="text" readonly value="{}" size="60" class="invite-link" aria-label="{}">',
            url,
            _("Invite link to copy"),
        )

    def bulk_create_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BulkInviteForm(request.POST or None)
        created = []
        if request.method == "POST" and form.is_valid():
            created = services.create_invites(
                quiz=form.cleaned_data["quiz"],
                entries=form.cleaned_data["lines"],
                max_uses=form.cleaned_data["max_uses"],
                expires_at=form.cleaned_data["expires_at"],
                created_by=request.user,
            )
            messages.success(
                request,
                _("%(count)d invites created. Copy the links below and send them.")
                % {"count": len(created)},
            )
        root = request.build_absolute_uri("/").rstrip("/")
        rows = [(invite, root + invite.get_absolute_url()) for invite in created]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Create invites in bulk"),
            "form": form,
            "rows": rows,
            "all_links": "\n".join(
                f"{invite.candidate_name} <{invite.candidate_email}>\t{url}"
                if invite.candidate_name
                else f"{invite.candidate_email}\t{url}"
                for invite, url in rows
            ),
            "changelist_url": reverse("admin:quizzes_invite_changelist"),
        }
        return TemplateResponse(request, "admin/quizzes/invite/bulk.html", context)
