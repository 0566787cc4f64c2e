"""Error pages that say what happened: a refused form (400), an expired one (403), a flood (429)."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form whose security token is missing or stale.

    Django's own page is English and speaks of CSRF; a candidate needs to know that
    reloading fixes it and that nothing saved before is lost. The reason stays in the
    django.security.csrf log.
    """
    if request.headers.get("X-Requested-With"):
        return JsonResponse(
            {"error": _("The page has expired; reload it. Answers saved before are safe.")},
            status=403,
        )
    # The form's own page, opened afresh with GET, comes with a valid token.
    page = request.get_full_path()
    if not url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}):
        page = reverse("quizzes:home")
    return render(request, "403_csrf.html", {"page": page}, status=403)
