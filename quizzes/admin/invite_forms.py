"""The bulk invite form: candidates pasted or uploaded as CSV, each line checked and bounded."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.candidates import (
    MAX_CANDIDATES,
    MAX_LINE_CHARS,
    MAX_NAME_CHARS,
    CsvProblem,
    InviteEntry,
    parse_invite_line,
    read_invite_csv,
)
from quizzes.models import Quiz

# Shown at most, of the lines a paste or an upload got wrong; the rest are counted.
MAX_LINE_ERRORS = 20


def _line_errors(errors: list[str]) -> list[str]:
    if len(errors) > MAX_LINE_ERRORS:
        more = len(errors) - MAX_LINE_ERRORS
        errors = [
            *errors[:MAX_LINE_ERRORS],
            ngettext("…and %(count)d more line.", "…and %(count)d more lines.", more)
            % {"count": more},
        ]
    return errors


def _too_many_candidates(count: int) -> ValidationError:
    return ValidationError(
        _("%(count)d candidates at once is too many; the limit is %(limit)d. Split the list.")
        % {"count": count, "limit": MAX_CANDIDATES}
    )


def _csv_problem_message(problem: CsvProblem) -> str:
    messages = {
        "columns": _(
            "Line %(number)s: %(value)s columns; expected name, email and an optional expiry."
        ),
        "email": _("Line %(number)s: “%(value)s” is not a valid email address."),
        "name": _("Line %(number)s: the name “%(value)s” is too long."),
        "expires": _(
            "Line %(number)s: “%(value)s” is not a date and time (such as 2030-01-31 18:00)."
        ),
        "past": _("Line %(number)s: the expiry “%(value)s” has passed."),
        "duplicate": _("Line %(number)s: %(value)s is listed twice."),
        "unreadable": _("Line %(number)s cannot be read as CSV; nothing after it was read."),
    }
    value = problem.value if len(problem.value) <= 100 else problem.value[:100] + "…"
    return str(messages[problem.code] % {"number": problem.line, "value": value})


def _parse_expires(text: str):
    try:
        moment = forms.DateTimeField().clean(text)
    except ValidationError:
        raise ValueError(text) from None
    if moment <= timezone.now():
        raise ValueError("past")
    return moment


class BulkInviteForm(forms.Form):
    quiz = forms.ModelChoiceField(label=_("Quiz"), queryset=Quiz.objects.order_by("title"))
    lines = forms.CharField(
        label=_("Candidates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        help_text=_(
            "One candidate per line: “Name <email>”, “email”, or “Name, email” "
            "(a tab or a semicolon works too, as pasted from a spreadsheet)."
        ),
    )
    csv_file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_(
            "Columns: name, email and optionally the link's expiry (2030-01-31 18:00), "
            "separated by commas or semicolons; UTF-8. A header row is skipped."
        ),
    )
    max_uses = forms.IntegerField(label=_("Allowed uses"), min_value=1, initial=1)
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("Empty: the link never expires. Format: 2030-01-31 18:00."),
    )
    language = forms.ChoiceField(
        label=_("Email language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
    )
    send_email = forms.BooleanField(
        label=_("Send the invitations by email"), required=False, initial=False
    )

    # About 5,000 candidates of long names: a cohort fits many times over.
    CSV_MAX_BYTES = 512 * 1024

    def clean_lines(self) -> list[InviteEntry]:
        entries, errors, seen = [], [], set()
        lines = self.cleaned_data["lines"].splitlines()
        if sum(1 for line in lines if line.strip()) > MAX_CANDIDATES:
            raise _too_many_candidates(sum(1 for line in lines if line.strip()))
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if len(line.strip()) > MAX_LINE_CHARS:
                errors.append(
                    _("Line %(number)s is too long for a name and an email address.")
                    % {"number": number}
                )
                continue
            try:
                entry = parse_invite_line(line)
            except ValidationError:
                errors.append(
                    _("Line %(number)s: “%(line)s” has no valid email address.")
                    % {"number": number, "line": line.strip()[:100]}
                )
                continue
            if len(entry.name) > MAX_NAME_CHARS:
                errors.append(
                    _("Line %(number)s: the name “%(value)s” is too long.")
                    % {"number": number, "value": entry.name[:60] + "…"}
                )
                continue
            if entry.email.lower() in seen:
                errors.append(
                    _("Line %(number)s: %(email)s is listed twice.")
                    % {"number": number, "email": entry.email}
                )
                continue
            seen.add(entry.email.lower())
            entries.append(entry)
        if errors:
            raise ValidationError(_line_errors(errors))
        return entries

    def clean_csv_file(self) -> list[InviteEntry]:
        upload = self.cleaned_data["csv_file"]
        if not upload:
            return []
        if upload.size > self.CSV_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)d KB); the limit is %(limit)d KB.")
                % {"size": upload.size // 1024, "limit": self.CSV_MAX_BYTES // 1024}
            )
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”.")
            ) from None
        entries, problems = read_invite_csv(text, _parse_expires)
        if problems:
            raise ValidationError(_line_errors([_csv_problem_message(p) for p in problems]))
        if len(entries) > MAX_CANDIDATES:
            raise _too_many_candidates(len(entries))
        if not entries:
            raise ValidationError(_("The file lists no candidates."))
        return entries

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        pasted, uploaded = cleaned.get("lines") or [], cleaned.get("csv_file") or []
        if pasted and uploaded:
            raise ValidationError(_("Paste candidates or upload a file, not both."))
        if not pasted and not uploaded:
            raise ValidationError(_("Paste at least one candidate or upload a CSV file."))
        cleaned["entries"] = pasted or uploaded
        return cleaned
