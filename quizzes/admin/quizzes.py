"""Quiz authoring in the admin: quizzes with questions inline, and the quiz list's actions."""

from collections import Counter

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes import formats
from quizzes.admin.banks import SectionInline, sample_draw_html
from quizzes.admin.downloads import markdown_download
from quizzes.admin.forms import COMPACT_TEXT, QuestionInlineFormSet, QuizForm
from quizzes.admin.formulas import warn_about_formulas
from quizzes.admin.importing import QuizImportAdmin
from quizzes.admin.regrading import QuizRegradeAdmin
from quizzes.admin.saving import QuietSaveMixin
from quizzes.grading import Verdict
from quizzes.models import Question, Quiz
from quizzes.selectors.authoring import parsed_quiz
from quizzes.services.attempts import follow_close_date
from quizzes.services.authoring import duplicate_quiz, set_quizzes_published

VERDICT_MARKS = {Verdict.CORRECT: "✅", Verdict.INCORRECT: "❌", Verdict.PARTIAL: "⚠️"}
# The statistics page (views.review) needs it; Recruiters have it, Authors do not.
STATISTICS_PERMISSION = "quizzes.view_attempt"


class QuestionInline(SortableTabularInline):
    """Questions of a quiz, reordered by drag and drop (positions are set for you)."""

    model = Question
    formset = QuestionInlineFormSet
    ordering = ["position", "id"]
    fields = ["text", "kind", "points", "published", "verdicts"]
    readonly_fields = ["verdicts"]
    formfield_overrides = COMPACT_TEXT
    extra = 0
    show_change_link = True

    def get_max_num(self, request, obj=None, **kwargs):
        # No "Add another" past the limit; QuestionInlineFormSet refuses more anyway.
        return settings.QUIZ_MAX_QUESTIONS

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A question added here has no options yet: a draft until its own page adds them.
        formset.form.base_fields["published"].initial = False
        return formset

    def get_queryset(self, request):
        # The verdict counts of every question in the one query that lists them.
        return (
            super()
            .get_queryset(request)
            .annotate(
                **{
                    f"{verdict}_options": Count("options", filter=Q(options__verdict=verdict))
                    for verdict in Verdict
                }
            )
        )

    @admin.display(description=_("options"))
    def verdicts(self, question: Question) -> str:
        """How many options are ✅, ❌ and ⚠️: a question missing its right answer shows."""
        if question.pk is None:
            return ""
        counts = [
            (VERDICT_MARKS[verdict], getattr(question, f"{verdict}_options", None))
            for verdict in Verdict
        ]
        if any(count is None for _mark, count in counts):  # a row saved on this request
            by_verdict = Counter(question.options.values_list("verdict", flat=True))
            counts = [(VERDICT_MARKS[verdict], by_verdict[verdict]) for verdict in Verdict]
        return " ".join(f"{mark}{count}" for mark, count in counts)


# SortableAdminBase first: its formset arguments and media make the question rows sortable
# (after ModelAdmin in the MRO they were never used).
@admin.register(Quiz)
class QuizAdmin(SortableAdminBase, QuietSaveMixin, QuizImportAdmin, QuizRegradeAdmin):
    list_display = [
        "title",
        "slug",
        "published",
        "practice",
        "access",
        "closes_at",
        "question_count",
        "updated_at",
    ]
    list_filter = ["published", "practice", "access", "grading_strategy"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SectionInline, QuestionInline]
    actions = [
        "publish",
        "unpublish",
        "duplicate",
        "export_seed",
        "export_tasklist",
        "regrade_attempts",
    ]
    change_list_template = "admin/quizzes/quiz/change_list.html"
    form = QuizForm
    readonly_fields = ["question_links", "sample_draw"]

    class Media:
        css = {"all": ["quizzes/admin.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "description",
                    "question_links",
                    "published",
                    "practice",
                    "access",
                    "attempts_allowed",
                ]
            },
        ),
        (_("Sections and draws"), {"fields": ["sample_draw"]}),
        (_("Grading"), {"fields": ["grading_strategy", "pass_mark"]}),
        (
            _("Candidate experience"),
            {
                "fields": [
                    "time_limit",
                    "closes_at",
                    "navigation",
                    "shuffle_questions",
                    "shuffle_options",
                ]
            },
        ),
        (
            _("What candidates see of their finished attempt"),
            {
                "fields": ["review_after_attempt", "review_after_close"],
                "description": _(
                    "Without a close date the quiz never closes, and the first choice "
                    "applies for good."
                ),
            },
        ),
        (
            _("Invitation emails"),
            {"fields": ["invitation_message", "reminder_before"]},
        ),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            quiz = self.get_object(request, unquote(object_id))
            if quiz is not None:
                self._warn_if_answers_leak(request, quiz, once=True)
                if request.user.has_perm(STATISTICS_PERMISSION):
                    url = reverse("quizzes:review_statistics", kwargs={"slug": quiz.slug})
                    extra_context = {**(extra_context or {}), "statistics_url": url}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_list_display(self, request):
        # The statistics page is for those who may read attempts (not Authors).
        shown = super().get_list_display(request)
        if request.user.has_perm(STATISTICS_PERMISSION):
            return [*shown, "statistics_link"]
        return shown

    @admin.display(description=_("Sample draw"))
    def sample_draw(self, quiz: Quiz) -> str:
        return sample_draw_html(quiz)

    @admin.display(description=_("statistics"))
    def statistics_link(self, quiz):
        url = reverse("quizzes:review_statistics", kwargs={"slug": quiz.slug})
        return format_html('<a href="{}" class="quiz-statistics">{}</a>', url, _("statistics"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "closes_at" in form.changed_data:
            moved = follow_close_date(quiz=obj)
            if moved:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d attempt in progress now ends at the close date at the latest.",
                        "%(count)d attempts in progress now end at the close date at the latest.",
                        moved,
                    )
                    % {"count": moved},
                    messages.INFO,
                )
        self._warn_if_answers_leak(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        quiz = form.instance
        warn_about_formulas(self, request, [quiz, *quiz.questions.order_by("position")])

    def _warn_if_answers_leak(self, request, quiz: Quiz, *, once: bool = False) -> None:
        """Warn about a quiz from which anyone could collect the answer key.

        `once`: not if the same warning is already queued (saving, then landing here again).
        """
        if not quiz.lets_anyone_collect_answers:
            return
        message = _(
            "Anyone can start “%(title)s” and sees which answers are right straight after "
            "the attempt, so a visitor can collect the answer key by submitting attempts under "
            "new names. For a hiring test make it invite only, or show less right after the "
            "attempt (the full review can wait until it closes); for self-study mark it as a "
            "practice quiz."
        ) % {"title": quiz.title}
        if once and message in (str(queued.message) for queued in messages.get_messages(request)):
            return
        self.message_user(request, message, messages.WARNING)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, quiz):
        return quiz.question_total

    @admin.display(description=_("questions"))
    def question_links(self, quiz: Quiz) -> str:
        """Its questions in the searchable list, and a question page to add one with options."""
        if quiz.pk is None:
            return _("Save the quiz, then add its questions with their options.")
        listed = reverse("admin:quizzes_question_changelist")
        added = reverse("admin:quizzes_question_add")
        return format_html(
            '<a href="{}?quiz__id__exact={}">{}</a> · <a href="{}?quiz={}">{}</a>',
            listed,
            quiz.pk,
            _("search and filter them"),
            added,
            quiz.pk,
            _("add a question with its options"),
        )

    def has_duplicate_permission(self, request) -> bool:
        # Django offers an action when any one of its permissions is held; a copy needs both.
        return self.has_add_permission(request) and self.has_change_permission(request)

    @admin.action(description=_("Publish selected quizzes"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, published=True)

    @admin.action(description=_("Unpublish selected quizzes"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, published=False)

    def _set_published(self, request, queryset, published: bool):
        changed = set_quizzes_published(quizzes=queryset, published=published)
        if published:
            message = ngettext("%(count)d quiz published.", "%(count)d quizzes published.", changed)
        else:
            message = ngettext(
                "%(count)d quiz unpublished.", "%(count)d quizzes unpublished.", changed
            )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(
        description=_("Duplicate selected quizzes (unpublished copies)"),
        permissions=["duplicate"],
    )
    def duplicate(self, request, queryset):
        for quiz in queryset:
            copy = duplicate_quiz(quiz=quiz)
            self.log_addition(request, copy, [{"added": {}}])
            self.message_user(
                request,
                _("“%(title)s” copied as %(slug)s (unpublished).")
                % {"title": quiz.title, "slug": copy.slug},
                messages.SUCCESS,
            )

    @admin.action(description=_("Export as markdown, seed format (✅ ❌ ⚠️)"), permissions=["view"])
    def export_seed(self, request, queryset):
        return self._export(request, queryset, formats.SEED)

    @admin.action(
        description=_("Export as markdown, task-list format (- [x])"), permissions=["view"]
    )
    def export_tasklist(self, request, queryset):
        return self._export(request, queryset, formats.TASKLIST)

    def _export(self, request, queryset, format: str):
        """One quiz downloads as a .md file; several as a .zip of .md files."""
        files = []
        for quiz in queryset.order_by("slug"):
            try:
                text = formats.write(parsed_quiz(quiz), format)
            except ValueError as error:
                self.message_user(
                    request,
                    _("“%(title)s” cannot be exported in this format: %(error)s")
                    % {"title": quiz.title, "error": error},
                    messages.ERROR,
                )
                return None
            files.append((f"{quiz.slug}.{format}.md", text.encode("utf-8")))
        return markdown_download(files, f"quizzes.{format}.zip")
