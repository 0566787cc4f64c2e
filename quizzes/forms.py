"""Forms of the site's own pages: the candidate's start and page navigation, the review pages.

Posted answers are read without a form (quizzes/answers.py); ANSWER_PROBLEMS words refusals.
"""

import re
from datetime import date
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from quizzes.answers import Problem
from quizzes.models import Attempt, Invite, Quiz
from quizzes.selectors.review import AttemptFilters


class StartAttemptForm(forms.Form):
    candidate_name = forms.CharField(label=_("Your name"), max_length=200)
    candidate_email = forms.EmailField(label=_("Email"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the form tag and the token
        self.helper.add_input(Submit("start", _("Start the test")))
        self.fields["candidate_name"].widget.attrs["autocomplete"] = "name"
        self.fields["candidate_email"].widget.attrs["autocomplete"] = "email"


class InviteStartForm(StartAttemptForm):
    """Start an invited attempt: asks only for what the invite does not already say."""

    def __init__(self, *args, invite: Invite, **kwargs):
        super().__init__(*args, **kwargs)
        if invite.candidate_name:
            del self.fields["candidate_name"]
        if invite.candidate_email:
            del self.fields["candidate_email"]


# Why a posted answer was refused (quizzes.answers.Problem), as the 400 page says it.
ANSWER_PROBLEMS = {
    Problem.QUESTION_NOT_ON_PAGE: _(
        "The answer refers to a question that is not part of this page."
    ),
    Problem.UNKNOWN_SHOWN: _("The form names a question that is not part of this test."),
    Problem.UNKNOWN_OPTION: _("An answer is not one of its question's options."),
    Problem.REPEATED_OPTION: _("An option was sent twice."),
    Problem.SEVERAL_FOR_SINGLE: _("A single-choice question got several answers."),
    Problem.BAD_NUMBER: _("A save number or counter is not a whole number in its range."),
}


class PageNavigationForm(forms.Form):
    """Where a paged attempt goes: `q` in its URL, `page` and `goto` in a post.

    Question numbers; a malformed one (not an integer) counts as absent, and the view
    keeps every number within the attempt's questions.
    """

    q = forms.IntegerField(required=False)
    page = forms.IntegerField(required=False)
    goto = forms.IntegerField(required=False)

    def number(self, name: str) -> int | None:
        self.is_valid()
        return self.cleaned_data.get(name)


# --- recruiter review --------------------------------------------------------------------

# Database ids are 64-bit; a larger number names nothing.
MAX_ID = 2**63 - 1
# Dates a filter may name: wide enough for any attempt, narrow enough that the day after
# the end and the start of the first day in any time zone are still valid datetimes.
FILTER_DATES = (date(2000, 1, 1), date(2999, 12, 31))


def within_filter_dates(value: date) -> None:
    first, last = FILTER_DATES
    if not first <= value <= last:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_range",
            params={"first": first.isoformat(), "last": last.isoformat()},
        )


def filter_date_field(label) -> forms.DateField:
    first, last = (day.isoformat() for day in FILTER_DATES)
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": first, "max": last}),
        validators=[within_filter_dates],
    )


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
        label=_("Quiz"),
        queryset=Quiz.objects.order_by("title"),
        required=False,
        empty_label=_("All quizzes"),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *Attempt.State.choices]
    )
    hiring = forms.ChoiceField(
        label=_("Hiring status"),
        required=False,
        choices=[("", _("Any")), *Attempt.HiringStatus.choices],
    )
    started_from = filter_date_field(_("Started from"))
    started_to = filter_date_field(_("Started until"))
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
        # ASCII digits only: "²".isdigit() is true, yet int("²") fails.
        if re.fullmatch(r"[0-9]{1,19}", value) and 0 < int(value) <= MAX_ID:
            return int(value)
        raise forms.ValidationError(_("Choose an invite filter from the list."))

    def clean(self):
        cleaned = super().clean() or {}
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
            hiring_status=valid.get("hiring") or None,
            started_from=valid.get("started_from"),
            started_to=valid.get("started_to"),
            percent_min=valid.get("percent_min"),
            percent_max=valid.get("percent_max"),
            invite=valid.get("invite"),
            search=(valid.get("q") or "").strip(),
            sort=valid.get("sort") or "-date",
        )


class StatisticsVersionForm(forms.Form):
    """The statistics page's (and its charts') choice of a version: a revision id."""

    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


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


class HiringStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Hiring status"), choices=Attempt.HiringStatus.choices)


class ExportOptionsForm(forms.Form):
    """The CSV's separator; without one, the reader's language decides (see views.review)."""

    delimiter = forms.ChoiceField(
        label=_("Separator"),
        required=False,
        choices=[("", ""), ("semicolon", ";"), ("comma", ",")],
    )


class ScoreOverrideForm(forms.Form):
    """New points for one question of an attempt, with the reason the history records.

    `max_points` is the question's maximum: the form refuses more, and its input carries
    it as `max`. Without it (a question the attempt does not have) the override service
    rejects the question itself.
    """

    question_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000)

    def __init__(self, *args, max_points: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"] = forms.DecimalField(
            label=_("Points"), min_value=0, max_value=max_points, max_digits=10, decimal_places=4
        )
        self.order_fields(["question_id", "points", "reason"])
        for name in ("points", "reason"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
