"""Question editing in the admin: a question with its options inline and a rendered preview."""

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django.conf import settings
from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.admin.forms import (
    COMPACT_TEXT,
    QUESTION_FIELDS,
    OptionInlineFormSet,
    QuestionAdminForm,
)
from quizzes.admin.formulas import warn_about_formulas
from quizzes.admin.live_preview import LivePreviewAdmin, LivePreviewFields
from quizzes.admin.saving import QuietSaveMixin
from quizzes.models import Option, Question
from quizzes.positions import next_position


class OptionInline(LivePreviewFields, SortableTabularInline):
    """Options of a question, reordered by drag and drop and validated together."""

    model = Option
    formset = OptionInlineFormSet
    ordering = ["position", "id"]
    fields = ["text", "verdict", "feedback"]
    formfield_overrides = COMPACT_TEXT
    extra = 0

    def get_max_num(self, request, obj=None, **kwargs):
        # No "Add another" past the limit; OptionInlineFormSet refuses more anyway.
        return settings.QUESTION_MAX_OPTIONS


@admin.register(Question)
class QuestionAdmin(LivePreviewAdmin, SortableAdminBase, QuietSaveMixin):
    form = QuestionAdminForm
    # The number is part of each question's name; positions themselves are never shown.
    list_display = ["__str__", "quiz", "kind", "points", "published", "retired"]
    list_filter = ["quiz", "bank", "kind", "published", "retired"]
    search_fields = ["text", "explanation", "options__text", "quiz__title", "bank__title"]
    list_select_related = ["quiz"]
    filter_horizontal = ["tags"]
    actions = ["retire", "return_to_draws"]
    inlines = [OptionInline]
    readonly_fields = ["preview"]

    class Media:
        css = {"all": ["quizzes/admin.css"]}
        js = ["quizzes/live_preview.js"]

    fields = [*QUESTION_FIELDS, "preview"]

    @admin.display(description=_("Preview"))
    def preview(self, question):
        """The saved question as candidates and reviewers see it (same sanitizing renderer)."""
        if question.pk is None:
            return _("Save the question to see a preview.")
        return render_to_string(
            "admin/quizzes/question/preview.html",
            {"question": question, "options": question.options.order_by("position", "id")},
        )

    @admin.action(description=_("Retire from future draws"), permissions=["change"])
    def retire(self, request, queryset):
        count = queryset.update(retired=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d question retired: no new attempt draws it.",
                "%(count)d questions retired: no new attempt draws them.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Return to draws"), permissions=["change"])
    def return_to_draws(self, request, queryset):
        count = queryset.update(retired=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d question can be drawn again.",
                "%(count)d questions can be drawn again.",
                count,
            )
            % {"count": count},
        )

    def save_model(self, request, obj, form, change):
        # Positions are never typed: a new question, or one moved to another quiz, goes last.
        if not change or "quiz" in form.changed_data:
            obj.position = next_position(Question, quiz=obj.quiz)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = form.instance
        warn_about_formulas(self, request, [question, *question.options.order_by("position")])
