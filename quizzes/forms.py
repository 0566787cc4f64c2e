"""Candidate-facing forms."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from quizzes.grading import Kind
from quizzes.models import Attempt, Quiz
from quizzes.rendering import render_inline_markdown
from quizzes.selectors import AttemptFilters


class StartAttemptForm(forms.Form):
    candidate_name = forms.CharField(label=_("Your name"), max_length=200)
    candidate_email = forms.EmailField(label=_("Email"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("start", _("Start the test")))
        self.fields["candidate_name"].widget.attrs["autocomplete"] = "name"
        self.fields["candidate_email"].widget.attrs["autocomplete"] = "email"


def question_field_name(question_id: int) -> str:
    return f"q_{question_id}"


class AnswerForm(forms.Form):
    """The answers to some questions of an attempt, built from its stored revision.

    Choices are the revision's option ids for each question, so an option of another
    question, quiz or attempt is an invalid choice. Fields named like a question that is
    not on this form are rejected too: a browser never sends them.
    """

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = [
                (str(option["id"]), render_inline_markdown(option["text"]))
                for option in question["options"]
            ]
            if question["kind"] == Kind.SINGLE:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, required=False)
            else:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, required=False
                )
            field.label = _("Question %(number)s") % {"number": question["number"]}
            self.fields[question_field_name(question["id"])] = field

    def clean(self):
        cleaned = super().clean()
        if self.data is not None:
            for key in self.data:
                if key.startswith("q_") and key not in self.fields:
                    raise forms.ValidationError(
                        _("The answer refers to a question that is not part of this page.")
                    )
                if key in self.fields and len(self.data.getlist(key)) != len(
                    set(self.data.getlist(key))
                ):
                    raise forms.ValidationError(_("An option was sent twice."))
        return cleaned

    def bound_questions(self):
        """(question, bound field) pairs in presentation order, for templates."""
        return [
            (question, self[question_field_name(question["id"])]) for question in self.questions
        ]

    def selections(self) -> dict[int, list[int]]:
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(question_field_name(question["id"]))
            if isinstance(value, list):
                result[question["id"]] = [int(option_id) for option_id in value]
            else:
                result[question["id"]] = [int(value)] if value else []
        return result


# --- recruiter review --------------------------------------------------------------------


class AttemptFilterForm(forms.Form):
    """The attempts list's filters, read from the query string (all optional)."""

    INVITE_CHOICES = [("", _("Any")), ("yes", _("With an invite")), ("no", _("Without invite"))]
    SORT_CHOICES = [
        ("-date", _("Newest first")),
        ("date", _("Oldest first")),
        ("-score", _("Highest score")),
        ("score", _("Lowest score")),
        ("-duration", _("Longest")),
        ("duration", _("Shortest")),
    ]

    q = forms.CharField(label=_("Name or email"), required=False, max_length=200)
    quiz = forms.ModelChoiceField(
        label=_("Quiz"), queryset=None, required=False, empty_label=_("All quizzes")
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    started_from = forms.DateField(
        label=_("Started from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    started_to = forms.DateField(
        label=_("Started until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    percent_min = forms.DecimalField(
        label=_("Score from, %"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    percent_max = forms.DecimalField(
        label=_("Score to, %"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    # "yes", "no" or the id of one invite (links from an attempt page use that).
    invite = forms.CharField(label=_("Invite"), required=False, widget=forms.Select)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = Quiz.objects.order_by("title")
        self.fields["state"].choices = [("", _("Any")), *Attempt.State.choices]
        choices = list(self.INVITE_CHOICES)
        invite = self.data.get("invite", "")
        if invite not in {"", "yes", "no"}:
            choices.append((invite, _("This invite")))
        self.fields["invite"].widget.choices = choices
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def clean_invite(self):
        value = self.cleaned_data["invite"]
        if value in {"", "yes", "no"}:
            return {"": None, "yes": True, "no": False}[value]
        if value.isdigit():
            return int(value)
        raise forms.ValidationError(_("Choose an invite filter from the list."))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("percent_min"), cleaned.get("percent_max")
        if low is not None and high is not None and low > high:
            self.add_error("percent_max", _("The upper bound is below the lower bound."))
        start, end = cleaned.get("started_from"), cleaned.get("started_to")
        if start and end and start > end:
            self.add_error("started_to", _("The end date is before the start date."))
        return cleaned

    def filters(self):
        """The valid filters (call is_valid() first); a field with an error is not applied."""
        valid = getattr(self, "cleaned_data", {})
        return AttemptFilters(
            quiz=valid.get("quiz"),
            state=valid.get("state") or None,
            started_from=valid.get("started_from"),
            started_to=valid.get("started_to"),
            percent_min=valid.get("percent_min"),
            percent_max=valid.get("percent_max"),
            invite=valid.get("invite"),
            search=(valid.get("q") or "").strip(),
            sort=valid.get("sort") or "-date",
        )


class AttemptNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttemptRatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", _("No rating")), *((str(n), str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
    )


class ScoreOverrideForm(forms.Form):
    question_id = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(label=_("Points"), min_value=0, max_digits=10, decimal_places=4)
    reason = forms.CharField(label=_("Reason"), max_length=2000)
