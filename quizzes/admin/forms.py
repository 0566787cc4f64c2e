"""Forms, formsets and widgets behind the authoring admin: ordering, validation, import."""

from adminsortable2.admin import CustomInlineFormSet
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from quizzes.models import Quiz
from quizzes.positions import park_positions, renumber

# Tabular inlines of markdown fields: a few lines each, not the default 10x40 boxes.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}


class QuizForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = [
            "title",
            "slug",
            "description",
            "published",
            "practice",
            "access",
            "grading_strategy",
            "pass_mark",
            "time_limit",
            "closes_at",
            "navigation",
            "shuffle_questions",
            "shuffle_options",
            "review_after_attempt",
            "review_after_close",
        ]

    def clean(self):
        super().clean()
        if self.cleaned_data.get("practice"):
            # What practice means (its help text says so), instead of an error to fix by hand.
            self.cleaned_data.update(
                access=Quiz.Access.PUBLIC,
                review_after_attempt=Quiz.ReviewPolicy.FULL,
                review_after_close=Quiz.ReviewPolicy.FULL,
            )
        return self.cleaned_data


class OrderedInlineFormSet(CustomInlineFormSet):
    """A sortable inline whose positions are unique per parent (a database constraint).

    Drag and drop renumbers every row, so saving row by row would put one row on a
    position another still holds. Rows that move are parked first (the same parking
    range positions.renumber uses), then saved; afterwards positions are made 1..n.
    """

    def save(self, commit=True):
        if commit:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk
                and ("position" in form.changed_data or self._should_delete_form(form))
            ]
            park_positions(self.model, moving)
        saved = super().save(commit)
        if commit:
            siblings = self.model.objects.filter(**{self.fk.name: self.instance})
            renumber(list(siblings.order_by("position", "pk")), self.model)
        return saved


class OptionInlineFormSet(OrderedInlineFormSet):
    """Options of one question, checked together against the question's kind."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        options = [
            (form.cleaned_data.get("text", ""), form.cleaned_data.get("verdict", ""))
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        try:
            self.instance.check_options(options)
        except ValidationError as error:
            raise ValidationError(
                [
                    *error.messages,
                    _("Fix the options below, or untick “published” to keep a draft."),
                ]
            ) from None


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Markdown file"),
        help_text=_("The seed format (✅ ❌ ⚠️) or the task-list format (- [x])."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[
            ("", _("Detect automatically")),
            ("seed", _("Seed (✅ ❌ ⚠️)")),
            ("tasklist", _("Task list (- [x])")),
        ],
    )
    slug = forms.SlugField(
        label=_("Target quiz slug"),
        required=False,
        max_length=200,
        help_text=_(
            "Empty: derived from the title in the file. An existing slug updates that quiz."
        ),
    )
    publish = forms.BooleanField(
        label=_("Publish a newly created quiz"), required=False, initial=False
    )

    # Large enough for any real quiz; small enough that the signed copy posted back by the
    # confirmation step stays under DATA_UPLOAD_MAX_MEMORY_SIZE and uploads stay in memory.
    MAX_BYTES = 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)d KB); the limit is %(limit)d KB.")
                % {"size": upload.size // 1024, "limit": self.MAX_BYTES // 1024}
            )
        return upload.read()


class ImportConfirmForm(forms.Form):
    """The second step: the uploaded bytes travel back signed, never stored on disk."""

    payload = forms.CharField(widget=forms.HiddenInput)
