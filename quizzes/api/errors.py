"""Errors as RFC 9457 problem details: application/problem+json with type, title, status, detail.

Every refusal the API makes goes through `problem()`, so clients parse one shape whatever
went wrong; validation errors add `errors`, one entry per field.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

PROBLEM_TYPE = "application/problem+json"
# A problem with a kind of its own is typed by a URN (README, "Integrations (API)", lists
# them); one that only repeats its HTTP status is "about:blank", as RFC 9457 says.
TYPE_BASE = "urn:quizsite:problem:"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Content too large"),
        422: _("Invalid request"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


class ApiProblem(Exception):
    """Raise to answer with a problem document; `kind` names it in `type`."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str = "",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int,
    detail: str,
    *,
    kind: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": _titles().get(status, _("Error")),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="quizsite"'
    return response


def unknown_path(request: HttpRequest, path: str) -> HttpResponse:
    """Anything under /api/v1/ that is no operation: a problem document, not the HTML 404."""
    return problem(404, _("No such API path: see /api/v1/docs."))


def _field(location: tuple) -> str:
    # ninja names where a value came from first ("body", "query", "header"), then the
    # schema's parameter name: a client knows its fields by their own names.
    parts = [str(part) for part in location]
    if len(parts) > 2 and parts[0] == "body":
        parts = parts[2:]
    elif len(parts) > 1 and parts[0] in {"query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    """Answer every error the API raises or ninja detects with a problem document."""

    @api.exception_handler(ApiProblem)
    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem(exc.status, exc.detail, kind=exc.kind, headers=exc.headers, **exc.extra)

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _field(tuple(error.get("loc", ()))), "message": error.get("msg", "")}
            for error in exc.errors
        ]
        return problem(
            422,
            _("The request has invalid fields: see errors."),
            kind="validation",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(401, _("Send an API token in the header “Authorization: Bearer <token>”."))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, _("No such object, or not one this token may see."))

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; say so in JSON.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return problem(
            413,
            _("The request body is larger than %(limit)d bytes; send fewer candidates at once.")
            % {"limit": limit},
            kind="too-large",
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def on_bug(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged where Django logs a server error; the client gets JSON it can parse and
        # nothing of the traceback.
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exc
        )
        return problem(500, _("Something went wrong on our side; it has been logged."))
