"""Candidate-facing forms."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from quizzes.grading import Kind
from quizzes.rendering import render_inline_markdown


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
                if (
                    key in self.fields
                    and isinstance(self.fields[key], forms.ChoiceField)
                    and not isinstance(self.fields[key], forms.MultipleChoiceField)
                    and len(self.data.getlist(key)) > 1
                ):
                    # A radio group sends one value; the form would silently keep the last.
                    raise forms.ValidationError(_("A single-choice question got several answers."))
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
