"""The invitation email for invites created through the API with `send_email`."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from quizzes.models import Invite, OutboundEmail
from quizzes.services.mail import queue_emails


def queue_invitations(invites: Sequence[Invite], *, language: str | None) -> None:
    """Queue one invitation email per invite, in the caller's transaction."""
    with translation.override(language or settings.LANGUAGE_CODE):
        queue_emails(
            OutboundEmail(
                kind=OutboundEmail.Kind.INVITATION,
                to=invite.candidate_email,
                invite=invite,
                subject=_("Invitation to the test “%(title)s”") % {"title": invite.quiz.title},
                body_text=_(
                    "Hello, %(name)s!\n\nYou are invited to take the test “%(title)s”. "
                    "Open your personal link to start:\n\n%(url)s\n"
                )
                % {
                    "name": invite.candidate_name,
                    "title": invite.quiz.title,
                    "url": settings.SITE_URL + invite.get_absolute_url(),
                },
            )
            for invite in invites
        )
