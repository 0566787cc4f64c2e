"""Request-level protections that are ours: the client address, rate limits, form bodies.

Login lockout (django-axes), rate limiting (django-ratelimit) and the CSP (django-csp) are
libraries; this module only tells them who the client is and what the limits are, so
the lockout and the rate limits agree on one notion of "the client's address".
"""

import base64
import binascii
import codecs
import ipaddress
import re
from io import BytesIO
from urllib.parse import unquote_to_bytes

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user
from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import (
    FIELD,
    FILE,
    ChunkIter,
    LazyStream,
    MultiPartParser,
    Parser,
)
from django.urls import Resolver404, resolve
from django.utils.http import parse_header_parameters


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


class UnexpectedUpload(BadRequest):
    """A file sent where the site does not take one."""


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps each uploaded file in memory, whatever its size: its body is bounded already.

    Only for requests whose whole body RejectMalformedFormMiddleware has read within
    DATA_UPLOAD_MAX_MEMORY_SIZE; Django's own handler would pass a large one on to the
    next handler, which writes to a temporary file.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True


def accepts_uploads(request: HttpRequest) -> bool:
    """Whether this request may carry files: a view in FILE_UPLOAD_VIEWS, used by staff."""
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return False
    if view_name not in settings.FILE_UPLOAD_VIEWS:
        return False
    user = get_user(request)  # the session's user: this runs before AuthenticationMiddleware
    return user.is_active and user.is_staff


def _field_bytes(meta: dict, part) -> bytes:
    data = part.read()
    encoding = meta.get("content-transfer-encoding")
    if encoding and encoding[0].strip() == "base64":
        try:
            # Django's parser decodes such a field too, and keeps the raw bytes if it cannot.
            return base64.b64decode(data)
        except binascii.Error:
            return data
    return data


# What only a part with a file or an encoded field has in its headers.
_FILE_OR_ENCODED_PART = re.compile(rb"filename|content-transfer-encoding", re.IGNORECASE)


def check_multipart(request: HttpRequest, *, files_allowed: bool) -> None:
    """Refuse a multipart body with a file where none is expected, or with non-UTF-8 fields.

    The body is read first, whole and within DATA_UPLOAD_MAX_MEMORY_SIZE (files included,
    unlike Django's own count), so a large body is refused before anything is read. Its
    parts are then walked with Django's own multipart parser, so both see the same parts.
    """
    body = request.body
    if not _FILE_OR_ENCODED_PART.search(body):
        try:
            # A plain form, the usual case: valid as a whole means every field is valid
            # (the parts are cut at ASCII bytes), without walking 10,000 of them.
            body.decode("utf-8")
            return
        except UnicodeDecodeError:
            pass
    _, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    boundary = params.get("boundary", "")
    if not MultiPartParser.boundary_re.fullmatch(boundary):
        return  # Django's parser refuses it with a 400 of its own
    stream = LazyStream(ChunkIter(BytesIO(body), 64 * 1024))
    for item_type, meta, part in Parser(stream, boundary.encode("ascii")):
        if item_type == FILE and not files_allowed:
            raise UnexpectedUpload("a file was sent where none is expected")
        if item_type == FIELD:
            try:
                _field_bytes(meta, part).decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedForm("form data is not valid UTF-8") from None
        else:
            for _chunk in part:  # a file (where allowed) or a part without a name: skipped
                pass


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


class RejectMalformedFormMiddleware:
    """Refuse form posts we should not parse, before CSRF or a view parses them.

    - Fields that are not valid UTF-8: Django decodes form bytes with errors="replace", so
      "\\xff" would silently become "�" in a candidate's name or turn into an unexplained
      validation error.
    - Files anywhere but where an upload is expected (FILE_UPLOAD_VIEWS, staff only):
      Django would write a large one to a temporary file while parsing. Where files are
      expected they are kept in memory; nothing a client sends is written to disk.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method == "POST" and request.content_type in FORM_TYPES:
            # Django decodes a form in the charset the client declares; an unknown or
            # non-text one ("rot13", "base64") would raise deep inside the parser (a 500).
            charset = (request.content_params or {}).get("charset")
            if charset and not _is_utf8(charset):
                raise MalformedForm(f"form data declared in {charset!r}, not UTF-8")
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            # request.body enforces DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig -> 400).
            try:
                unquote_to_bytes(request.body.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedForm("form data is not valid UTF-8") from None
        elif request.method == "POST" and request.content_type == "multipart/form-data":
            files_allowed = accepts_uploads(request)
            # No handler at all drops any file part the check below would not have caught.
            request.upload_handlers = [InMemoryUploadHandler(request)] if files_allowed else []
            check_multipart(request, files_allowed=files_allowed)
        return self.get_response(request)
