"""Forms, formsets and widgets behind the admin: ordering, validation, import."""

from datetime import timedelta

from adminsortable2.admin import CustomInlineFormSet
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from quizzes.durations import MINUTE, TimeLimitError, parse_time_limit, shown_time_limit
from quizzes.models import (
    Question,
    Quiz,
    option_set_errors,
    too_many_options,
    too_many_questions,
    unclosed_fence_message,
)
from quizzes.positions import park_positions, renumber
from quizzes.text import normalize_markdown


class MarkdownField(forms.CharField):
    """A markdown text, stored in the shape quizzes.text gives every way in.

    A text that differs from the stored one only in that shape (a browser posts CRLF
    line breaks) is unchanged: saving the page then writes and logs nothing for it.
    """

    def __init__(self, **kwargs):
        # normalize_markdown decides about whitespace, trailing hard breaks included.
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_markdown(value) or self.empty_value

    def has_changed(self, initial, data):
        return super().has_changed(normalize_markdown(initial or ""), data)

    def validate(self, value):
        super().validate(value)
        if value and (message := unclosed_fence_message(value)):
            raise ValidationError(message, code="unclosed_fence")


# Markdown fields of tabular inlines: normalised, a few lines each, not 10x40 boxes.
COMPACT_TEXT = {
    models.TextField: {
        "form_class": MarkdownField,
        "widget": forms.Textarea(attrs={"rows": 2, "cols": 50}),
    }
}


class TimeLimitField(forms.Field):
    """A quiz's time limit in minutes ("2" is two minutes); seconds and hours with a unit."""

    widget = forms.TextInput(attrs={"size": 8, "class": "vTimeLimitField"})
    default_error_messages = {
        "format": _("Type the time limit in minutes, such as 2 or 2.5; for seconds add “s”: 90 s."),
        "fraction": _("The time limit must come to whole seconds: type it in seconds, as 90 s."),
        "too_long": _("The time limit can be at most a week (10080 minutes)."),
    }

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, timedelta):
            return value or None
        try:
            seconds = parse_time_limit(str(value))
        except TimeLimitError as error:
            raise ValidationError(self.error_messages[error.code], code=error.code) from None
        return timedelta(seconds=seconds) if seconds else None

    def prepare_value(self, value):
        if not isinstance(value, timedelta):
            return value  # what was typed, shown again with its error
        number, unit = shown_time_limit(round(value.total_seconds()))
        return str(number) if unit == MINUTE else f"{number} {pgettext('unit', 's')}"


class HoursField(forms.IntegerField):
    """A duration typed in whole hours; 0 or empty is stored as no duration (off)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=24 * 365, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, timedelta):
            return int(value.total_seconds() // 3600)
        return value

    def clean(self, value):
        hours = super().clean(value)
        return timedelta(hours=hours) if hours else None

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial) or None, data or None)


class QuizForm(forms.ModelForm):
    reminder_before = HoursField(
        label=_("Reminder, hours before the link expires"),
        required=False,
        help_text=_(
            "An unused personal invite with an expiry gets one reminder by email this many "
            "hours before it. 0 or empty: no reminders."
        ),
    )
    time_limit = TimeLimitField(
        label=_("Time limit, min"),
        required=False,
        help_text=_(
            "In minutes: 2 or 2.5. Seconds where a quiz needs them: 90 s. Empty: no limit."
        ),
    )

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
            "invitation_message",
            "reminder_before",
        ]
        field_classes = {"description": MarkdownField, "invitation_message": MarkdownField}

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

    New rows cannot be dragged (the sortable script moves saved rows only), and each
    holds the empty form's position 0, so their posted positions mean nothing: they are
    cleared before the check of unique positions across rows (which skips a row with an
    empty value), and the rows are saved last, in the order shown (adminsortable2's
    save_new puts a row without a position after the last one).
    """

    def validate_unique(self):
        for form in self.extra_forms:
            if form.has_changed() and not self._should_delete_form(form):
                form.cleaned_data["position"] = None
                form.instance.position = None
        super().validate_unique()

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


class QuestionInlineFormSet(OrderedInlineFormSet):
    """Questions of one quiz: no more than a quiz may have (settings.QUIZ_MAX_QUESTIONS), and
    none published here that its own page would refuse to publish."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = sum(
            1 for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        )
        if message := too_many_questions(kept):
            raise ValidationError(message)
        for form in self.forms:
            self._check_published(form)

    def _check_published(self, form) -> None:
        """A row published (or its kind changed) here needs options that make it gradable.

        The options are edited on the question's own page, so a new row has none yet: it
        stays a draft until they are added there. Rows left as they were are not checked.
        """
        if not form.cleaned_data.get("published") or self._should_delete_form(form):
            return
        new = form.instance.pk is None
        if not new and not {"published", "kind"} & set(form.changed_data):
            return
        options = [] if new else list(form.instance.options.values_list("text", "verdict"))
        if errors := option_set_errors(form.cleaned_data.get("kind", ""), options):
            form.add_error(
                "published",
                [
                    *errors,
                    _(
                        "Untick “published”, save, and add the options on the question's "
                        "own page; publish it there."
                    ),
                ],
            )


# What an author edits on a question's own page (the admin adds its read-only preview).
QUESTION_FIELDS = [
    "quiz",
    "section",
    "bank",
    "tags",
    "retired",
    "text",
    "kind",
    "points",
    "partial_fraction",
    "grading_strategy",
    "explanation",
    "published",
]


class QuestionAdminForm(forms.ModelForm):
    """A question on its own page: it may not take a quiz beyond QUIZ_MAX_QUESTIONS."""

    class Meta:
        model = Question
        fields = QUESTION_FIELDS
        field_classes = {"text": MarkdownField, "explanation": MarkdownField}

    def clean(self):
        cleaned = super().clean() or {}
        quiz = cleaned.get("quiz")
        # A new question, or one moved to another quiz, adds one to that quiz.
        if (
            quiz is not None
            and quiz.pk != self.instance.quiz_id
            and (message := too_many_questions(quiz.questions.count() + 1))
        ):
            self.add_error("quiz", message)
        section = cleaned.get("section")
        if section is not None and (
            section.quiz_id != getattr(quiz, "pk", None) or section.is_drawn
        ):
            self.add_error("section", _("Choose a fixed section of the question's quiz."))
        bank = cleaned.get("bank")
        if quiz is None and bank is None:
            self.add_error("bank", _("A question belongs to a quiz, a bank or both."))
        strangers = [
            tag for tag in cleaned.get("tags", []) if bank is None or tag.bank_id != bank.pk
        ]
        if strangers:
            self.add_error("tags", _("Tags come from the question's own bank."))
        return cleaned


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
        if message := too_many_options(len(options)):
            # Always: a draft too must be answerable on one page once it is published.
            raise ValidationError(message)
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
    # confirmation step stays under DATA_UPLOAD_MAX_MEMORY_SIZE. (The upload itself is
    # held in memory, never on disk: quizzes.security.RejectMalformedFormMiddleware.)
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
