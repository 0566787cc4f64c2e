"""Issue an API token for a user and print it once (it is stored only as a hash)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.api.auth import SCOPE_PERMISSIONS
from quizzes.models import ApiToken
from quizzes.services.api_tokens import create_api_token


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME with the given scopes and print it once. "
        f"Scopes: {', '.join(ApiToken.Scope.values)}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The username the token acts for.")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            help="A scope (repeat for several): " + ", ".join(ApiToken.Scope.values),
        )
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Days until it expires (default never)."
        )

    def handle(self, *args, user: str, scopes: list[str], name: str, expires_days, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"No user with the username {user!r}.") from None
        unknown = sorted(set(scopes) - set(ApiToken.Scope.values))
        if unknown:
            raise CommandError(
                f"Unknown scope {', '.join(map(repr, unknown))}; "
                f"the scopes are: {', '.join(ApiToken.Scope.values)}."
            )
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        row, token = create_api_token(
            user=owner,
            name=name or f"{owner.get_username()} ({', '.join(sorted(set(scopes)))})",
            scopes=scopes,
            expires_at=expires_at,
        )
        self.stdout.write(token)
        self.stderr.write(
            f"Token {row.prefix}… for {owner.get_username()}: shown only this once. "
            "Send it as 'Authorization: Bearer <token>'."
        )
        for warning in _permission_warnings(owner, scopes):
            self.stderr.write(self.style.WARNING(warning))


def _permission_warnings(user, scopes: list[str]) -> list[str]:
    """What the token will be refused because its user lacks the permission."""
    warnings = []
    if not user.is_active or not user.is_staff:
        warnings.append(f"{user.get_username()} is not active staff: every request is refused.")
    for scope in sorted(set(scopes)):
        for permissions in SCOPE_PERMISSIONS.get(scope, {}).values():
            missing = [perm for perm in permissions if not user.has_perm(perm)]
            if missing:
                warnings.append(
                    f"{user.get_username()} lacks {', '.join(missing)}: "
                    f"requests in {scope} that need it are refused."
                )
    return warnings
