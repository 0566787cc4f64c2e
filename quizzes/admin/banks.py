"""Question banks in the admin: their tags with question counts, and quizzes' sections."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from quizzes import formats
from quizzes.admin.downloads import markdown_download
from quizzes.models import QuestionBank, Quiz, Section, Tag, too_many_questions
from quizzes.selectors.authoring import parsed_bank
from quizzes.selectors.banks import bank_tag_counts, drawable_questions, sample_draw
from quizzes.selectors.exposure import bank_exposure


class TagInline(admin.TabularInline):
    model = Tag
    fields = ["name"]
    extra = 0


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "question_count", "drawable_count"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TagInline]
    actions = ["export_seed", "export_tasklist"]
    fields = ["title", "slug", "tag_counts", "exposure"]
    readonly_fields = ["tag_counts", "exposure"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_total=Count("questions"),
                drawable_total=Count(
                    "questions", filter=Q(questions__published=True, questions__retired=False)
                ),
            )
        )

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, bank: QuestionBank) -> int:
        return getattr(bank, "question_total", 0)

    @admin.display(description=_("can be drawn"), ordering="drawable_total")
    def drawable_count(self, bank: QuestionBank) -> int:
        return getattr(bank, "drawable_total", 0)

    @admin.display(description=_("Questions per tag"))
    def tag_counts(self, bank: QuestionBank) -> str:
        if bank.pk is None:
            return ""
        return render_to_string(
            "admin/quizzes/questionbank/tag_counts.html", {"counts": bank_tag_counts(bank)}
        )

    @admin.action(description=_("Export as markdown, seed format (✅ ❌ ⚠️)"), permissions=["view"])
    def export_seed(self, request, queryset):
        return self._export(queryset, formats.SEED)

    @admin.action(
        description=_("Export as markdown, task-list format (- [x])"), permissions=["view"]
    )
    def export_tasklist(self, request, queryset):
        return self._export(queryset, formats.TASKLIST)

    def _export(self, queryset, format: str):
        """The banks' own questions (those in no quiz) as question bank files."""
        files = [
            (f"{bank.slug}.{format}.md", formats.write(parsed_bank(bank), format).encode())
            for bank in queryset.order_by("slug")
        ]
        return markdown_download(files, f"banks.{format}.zip")

    @admin.display(description=_("Exposure"))
    def exposure(self, bank: QuestionBank) -> str:
        """How many candidates of every quiz were shown each of the bank's questions."""
        if bank.pk is None:
            return ""
        return render_to_string(
            "admin/quizzes/questionbank/exposure.html", {"exposure": bank_exposure(bank)}
        )


class SectionInlineFormSet(forms.BaseInlineFormSet):
    """Draw rules that can be met: a tag of the chosen bank, no more questions than it offers."""

    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for form in kept:
            bank, tag = form.cleaned_data.get("bank"), form.cleaned_data.get("tag")
            count = form.cleaned_data.get("draw_count")
            if bank is None:
                if tag is not None or count is not None:
                    form.add_error("bank", _("Choose the bank to draw from."))
                continue
            if count is None:
                form.add_error("draw_count", _("Say how many questions to draw."))
                continue
            if tag is not None and tag.bank_id != bank.pk:
                form.add_error("tag", _("This tag belongs to another bank."))
                continue
            available = drawable_questions(bank.pk, tag.pk if tag else None).count()
            if count > available:
                form.add_error(
                    "draw_count",
                    ValidationError(
                        _("Only %(available)d published, non-retired questions can be drawn here."),
                        params={"available": available},
                    ),
                )
        if any(self.errors) or not kept or self.instance.pk is None:
            return
        own = self.instance.questions.filter(published=True).count()
        if own and all(form.cleaned_data.get("bank") for form in kept):
            raise ValidationError(
                _("The quiz's own questions need a fixed section (one without a bank).")
            )
        drawn = sum(form.cleaned_data.get("draw_count") or 0 for form in kept)
        if message := too_many_questions(own + drawn):
            raise ValidationError(message)


class SectionInline(admin.TabularInline):
    """The quiz's sections in order: fixed questions, or a number drawn from a bank."""

    model = Section
    formset = SectionInlineFormSet
    fields = ["order", "title", "bank", "tag", "draw_count"]
    ordering = ["order", "id"]
    extra = 0


def sample_draw_html(quiz: Quiz) -> str:
    """A sample draw of the quiz's sections, for the quiz's admin page."""
    if quiz.pk is None:
        return str(_("Save the quiz to see a sample draw."))
    return render_to_string("admin/quizzes/quiz/sample_draw.html", {"sections": sample_draw(quiz)})
