"""The browser id: a random cookie that tells one candidate's browser from another.

Candidates have no accounts. The session says which attempts a browser may open, but it
is created only when an attempt starts, so two quick clicks on Start from a fresh browser
would look like two browsers. The id cookie is set by the pages that lead to a start (no
database work) and lasts as long as a session; attempts store only its hash, which
recognises the browser for the attempts allowed and for resuming on a shared link.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "quizzes_browser"
_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")
_ASSIGNED = "_quizzes_browser_id"


def _browser_id(request: HttpRequest) -> str:
    value = request.COOKIES.get(COOKIE, "")
    if _FORMAT.fullmatch(value):
        return value
    assigned = getattr(request, _ASSIGNED, None)
    if assigned is None:
        assigned = secrets.token_urlsafe(32)
        setattr(request, _ASSIGNED, assigned)
    return assigned


def browser_key(request: HttpRequest) -> str:
    """The hash of this browser's id, as attempts store it (an id is assigned if needed)."""
    return hashlib.sha256(_browser_id(request).encode()).hexdigest()


def known_browser_key(request: HttpRequest) -> str:
    """The hash of the id this browser already has, or "" (none is assigned here)."""
    value = request.COOKIES.get(COOKIE, "")
    if not _FORMAT.fullmatch(value):
        return ""
    return hashlib.sha256(value.encode()).hexdigest()


def identifies_browser(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give a browser that arrives without a valid id cookie one on the response."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        browser_id = _browser_id(request)
        response = view(request, *args, **kwargs)
        if request.COOKIES.get(COOKIE) != browser_id:
            response.set_cookie(
                COOKIE,
                browser_id,
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return wrapper
