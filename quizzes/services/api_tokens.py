"""API tokens: issuing (the secret is shown once), revoking, and replaying idempotent requests."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import ApiToken, IdempotencyKey, Invite

# What every token starts with, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "qz_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 8
# last_used_at is written at most this often: not one write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    *,
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token; returns the row and the token itself, which is not stored anywhere."""
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=token[:PREFIX_SHOWN],
        secret_hash=hash_secret(token),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    return row, token


def issue_secret(row: ApiToken) -> str:
    """Give an unsaved token row (the admin's add form) its secret; returns the token."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row.prefix = token[:PREFIX_SHOWN]
    row.secret_hash = hash_secret(token)
    return token


def revoke_api_tokens(tokens: Iterable[ApiToken], *, now: datetime | None = None) -> int:
    """Revoke the tokens not revoked yet; returns how many were."""
    pks = [token.pk for token in tokens]
    return ApiToken.objects.filter(pk__in=pks, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def token_for_secret(token: str, *, now: datetime) -> ApiToken | None:
    """The token with this secret (with its user), or None; notes the use of a usable one."""
    row = ApiToken.objects.select_related("user").filter(secret_hash=hash_secret(token)).first()
    if row is None or not row.is_usable(now):
        return row
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


class IdempotencyKeyReused(Exception):
    """The key was used before with a different request."""


def create_invites_once(
    *,
    token: ApiToken,
    key: str,
    request_hash: str,
    create: Callable[[], list[Invite]],
) -> tuple[list[Invite], bool]:
    """Run `create` once per (token, key): a repeat returns the first call's invites.

    Returns the invites and whether they were created now. The key's row is inserted
    before the invites, in the same transaction: a concurrent request with the same key
    waits on the unique index until the first commits, then fails to insert and reads the
    first one's invites (PostgreSQL); SQLite runs the two transactions one after the other.
    Raises IdempotencyKeyReused when the key came with another request.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    token=token, key=key, request_hash=request_hash
                )
        except IntegrityError:
            record = IdempotencyKey.objects.get(token=token, key=key)
            if record.request_hash != request_hash:
                raise IdempotencyKeyReused from None
            return list(record.invites.select_related("quiz").order_by("pk")), False
        invites = create()
        IdempotencyKey.invites.through.objects.bulk_create(
            IdempotencyKey.invites.through(idempotencykey_id=record.pk, invite_id=invite.pk)
            for invite in invites
        )
        return invites, True
