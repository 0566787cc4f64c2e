"""Request-level protections that are ours: the client address, rate limits, form bytes.

Login lockout (django-axes), rate limiting (django-ratelimit) and the CSP (django-csp) are
libraries; this module only tells them who the client is and what the limits are, so
the lockout and the rate limits agree on one notion of "the client's address".
"""

import ipaddress
from urllib.parse import unquote_to_bytes

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of the client, trusting X-Forwarded-For only behind known proxies.

    Each trusted proxy appends the address it received the connection from, so the client
    is the TRUSTED_PROXY_COUNT-th entry from the right; anything to the left of it was
    written by the client and may be forged. With no trusted proxy the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        # The request did not come through all the proxies (e.g. a health check).
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def ratelimit_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def rate(group: str, request: HttpRequest) -> str | None:
    """The configured rate of a group of views; read per request so tests can override it."""
    return settings.RATE_LIMITS.get(group)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request.

    `authenticate()` without a request (the test client's `login()`, the shell) has no
    client address to count failures against; axes would refuse it outright, so it is
    left to the next backend. Every login form passes the request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class MalformedForm(BadRequest):
    """A form body whose text is not UTF-8."""


class RejectMalformedFormMiddleware:
    """Refuse form posts whose fields are not valid UTF-8 instead of storing U+FFFD.

    Django decodes form bytes with errors="replace", so "\\xff" would silently become
    "�" in a candidate's name or turn into an unexplained validation error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            # request.body enforces DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig -> 400).
            try:
                unquote_to_bytes(request.body.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedForm("form data is not valid UTF-8") from None
        return self.get_response(request)
