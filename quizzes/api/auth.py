"""Bearer tokens: who is asking, within which scope, with which of their user's permissions.

A token never exceeds its user: every request needs the operation's scope on the token AND
the matching Django permissions on the user, who must still be active staff (as for the
staff pages: unticking staff status or deactivating the user stops their tokens at once).
Session cookies are not read: a browser signed in to the admin is anonymous here, which is
also why the API needs no CSRF protection.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from quizzes.api.errors import ApiProblem
from quizzes.models import ApiToken
from quizzes.security import ratelimit_key
from quizzes.services.api_tokens import token_for_secret

# Each scope with the permissions its operations need (a token's scope names an area; the
# user's permissions say what they may do in it).
SCOPE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    ApiToken.Scope.QUIZZES_READ: {"read": ("quizzes.view_quiz",)},
    ApiToken.Scope.INVITES_WRITE: {
        "read": ("quizzes.view_invite",),
        "write": ("quizzes.add_invite",),
    },
    ApiToken.Scope.ATTEMPTS_READ: {"read": ("quizzes.view_attempt",)},
    # Deliveries carry candidates' data: whoever manages endpoints must be able to read it.
    ApiToken.Scope.WEBHOOKS_WRITE: {
        "read": ("quizzes.view_webhookendpoint", "quizzes.view_attempt"),
        "write": ("quizzes.add_webhookendpoint", "quizzes.view_attempt"),
    },
}


def _rate_key(group: str, request: HttpRequest) -> str:
    return f"token:{request.auth.pk}"  # type: ignore[attr-defined]


def _refused_tokens(request: HttpRequest, *, increment: bool) -> None:
    """Count a refused token against its client's address (settings.RATE_LIMITS["api_auth"]).

    A valid token is limited per token; a client with no valid one has no token to count,
    so its refusals are counted per address and, past the limit, it is refused before its
    token is even looked up.
    """
    rate = settings.RATE_LIMITS.get("api_auth")
    if not rate:
        return
    usage = get_usage(request, group="api_auth", key=ratelimit_key, rate=rate, increment=increment)
    # Counted after a refusal, checked (without counting) before the lookup: an address at
    # its limit is not looked up again.
    if not usage:
        return
    if usage["should_limit"] or (not increment and usage["count"] >= usage["limit"]):
        wait = max(int(usage["time_left"]), 1)
        raise ApiProblem(
            429,
            _("Too many requests with invalid tokens; try again in %(seconds)d seconds.")
            % {"seconds": wait},
            kind="rate-limited",
            headers={"Retry-After": str(wait)},
        )


def _invalid(request: HttpRequest, detail: str) -> ApiProblem:
    _refused_tokens(request, increment=True)
    return ApiProblem(401, detail, kind="invalid-token")


def check_rate(request: HttpRequest) -> None:
    """Count the request against its token's allowance (settings.RATE_LIMITS["api"])."""
    rate = settings.RATE_LIMITS.get("api")
    if not rate:
        return
    usage = get_usage(request, group="api", key=_rate_key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        wait = max(int(usage["time_left"]), 1)
        raise ApiProblem(
            429,
            _("This token sent too many requests; try again in %(seconds)d seconds.")
            % {"seconds": wait},
            kind="rate-limited",
            headers={"Retry-After": str(wait)},
        )


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with `scope`, and the user's `permissions`."""

    def __init__(self, scope: str, *permissions: str) -> None:
        super().__init__()
        self.scope = scope
        self.permissions = permissions

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        header = request.headers.get(self.header, "")
        scheme, _space, secret = header.partition(" ")
        if not header:
            return None  # the generic 401: no token at all
        _refused_tokens(request, increment=False)
        if scheme.lower() != "bearer" or not secret.strip():
            raise _invalid(request, _("The Authorization header must read “Bearer <token>”."))
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        now = timezone.now()
        row = token_for_secret(token, now=now)
        if row is None:
            raise _invalid(request, _("This API token is not valid."))
        if row.revoked_at is not None:
            raise _invalid(request, _("This API token was revoked."))
        if row.is_expired(now):
            raise _invalid(request, _("This API token has expired."))
        user = row.user
        if not user.is_active:
            raise _invalid(request, _("The user this token belongs to is deactivated."))
        request.auth = row  # type: ignore[attr-defined]
        check_rate(request)
        if not user.is_staff:
            raise ApiProblem(
                403,
                _("The user this token belongs to has no staff access."),
                kind="permission-denied",
            )
        if self.scope not in row.scopes:
            raise ApiProblem(
                403,
                _("This token lacks the scope “%(scope)s”.") % {"scope": self.scope},
                kind="scope-missing",
                required_scope=self.scope,
            )
        missing = [perm for perm in self.permissions if not user.has_perm(perm)]
        if missing:
            raise ApiProblem(
                403,
                _("The user this token belongs to lacks the permission %(permissions)s.")
                % {"permissions": ", ".join(missing)},
                kind="permission-denied",
                missing_permissions=missing,
            )
        return row


def token_auth(scope: str, action: str = "read") -> TokenAuth:
    """The auth of an operation in `scope` that reads or writes."""
    return TokenAuth(scope, *SCOPE_PERMISSIONS[scope][action])
