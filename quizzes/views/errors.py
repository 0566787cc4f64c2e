"""Error pages that explain what happened: a refused form (400), too many requests (429)."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from quizzes.security import MalformedForm, UnexpectedUpload


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: Django's own page has no layout, no language and no explanation."""
    if isinstance(exception, RequestDataTooBig):
        reason = _("The form you sent is too large.")
    elif isinstance(exception, TooManyFieldsSent):
        reason = _("The form you sent has too many fields.")
    elif isinstance(exception, MalformedForm):
        reason = _("The form you sent contains bytes that are not valid UTF-8 text.")
    elif isinstance(exception, UnexpectedUpload):
        reason = _("Files can only be uploaded where a page asks for one.")
    else:
        reason = _("The request could not be understood.")
    return render(request, "400.html", {"reason": reason}, status=400)


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """RATELIMIT_VIEW: too many requests from one address in a short time."""
    if request.headers.get("X-Requested-With"):
        # The page's background save reads JSON and retries later.
        return JsonResponse(
            {"error": _("Too many requests; the answers will be saved again shortly.")},
            status=429,
        )
    return render(request, "429.html", status=429)
