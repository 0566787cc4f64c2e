"""Continuing an attempt in another browser with a one-time code sent by email.

The attempt comes from this browser's session (views.session.offer_code, set when a start
was refused because the attempt is open elsewhere), never from the request: the pages
name neither the attempt nor the full address the code goes to.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from quizzes.candidates import masked_email
from quizzes.models import Attempt
from quizzes.services.resume_codes import (
    CODE_DIGITS,
    CODE_LIFETIME,
    CodeRefused,
    check_resume_code,
    send_resume_code,
)
from quizzes.views.session import (
    RATE,
    RATE_KEY,
    attempt_offered_code,
    forget_code_offer,
    remember_attempt,
)

REFUSALS = {
    "finished": _("This attempt is finished: there is nothing to continue."),
    "too_many": _(
        "Several codes were sent for this attempt in the last minutes. Wait a quarter of an "
        "hour, then ask again, or use the newest code you received."
    ),
    "address_day": _(
        "Too many codes were sent to this address today. Try again tomorrow, or ask the "
        "recruiter for a personal link."
    ),
    "none": _("No code was sent yet: ask for one."),
    "dead": _(
        "This code no longer works (too old, used, or too many wrong tries): ask for a new one."
    ),
}


class CodeForm(forms.Form):
    # A code as people type it: spaces and dashes are dropped. Anything else that is not
    # six digits is refused by the form and costs the code no try.
    code = forms.CharField(
        label=_("Code from the email"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].replace("-", " ").split())
        if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(_("The code is 6 digits."))
        return code


def _page(
    request: HttpRequest, attempt: Attempt, form: CodeForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "quiz": attempt.quiz,
        "masked_email": masked_email(attempt.candidate_email),
        "form": form,
        "error": error,
        "minutes": int(CODE_LIFETIME.total_seconds() // 60),
    }
    return render(request, "quizzes/resume_code.html", context, status=status)


def _refused(request: HttpRequest, attempt: Attempt, refusal: CodeRefused) -> HttpResponse:
    if refusal.reason == "finished":
        forget_code_offer(request)
        status = 410
    else:
        status = 429 if refusal.reason in ("too_many", "address_day") else 200
    return _page(request, attempt, CodeForm(), error=str(REFUSALS[refusal.reason]), status=status)


@require_POST
@ratelimit(group="code", key=RATE_KEY, rate=RATE, method="POST")
def resume_send(request: HttpRequest) -> HttpResponse:
    """Email a new code for the attempt this browser was refused."""
    attempt = attempt_offered_code(request)
    try:
        send_resume_code(attempt_id=attempt.pk, language=get_language())
    except CodeRefused as refusal:
        return _refused(request, attempt, refusal)
    return redirect("quizzes:resume")


@require_http_methods(["GET", "POST"])
@ratelimit(group="code", key=RATE_KEY, rate=RATE, method="POST")
def resume(request: HttpRequest) -> HttpResponse:
    """Enter the code; the right one lets this browser continue the attempt."""
    attempt = attempt_offered_code(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, attempt, form)
    try:
        check = check_resume_code(attempt_id=attempt.pk, code=form.cleaned_data["code"])
    except CodeRefused as refusal:
        return _refused(request, attempt, refusal)
    if not check.right:
        error = _("Wrong code.") + " " + str(_tries_left(check.tries_left))
        return _page(request, attempt, CodeForm(), error=error)
    forget_code_offer(request)
    remember_attempt(request, attempt)
    # The session now opens someone's attempt: a session id planted in this browser
    # before (session fixation) must not open it too.
    request.session.cycle_key()
    return redirect(attempt)


def _tries_left(count: int) -> str:
    if count <= 0:
        return str(REFUSALS["dead"])
    return ngettext(
        "%(count)d try left for this code.", "%(count)d tries left for this code.", count
    ) % {"count": count}
