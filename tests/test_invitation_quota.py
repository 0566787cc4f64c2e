"""Invitation emails per user per hour (settings.INVITATION_EMAILS_PER_HOUR).

A stolen session or API token must not turn the site into a spam relay: beyond the
allowance nothing is created or queued, and each way in (admin bulk page, single add,
resend action, API) says why.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from quizzes.candidates import InviteEntry
from quizzes.models import Invite, OutboundEmail
from quizzes.services.invitations import InvitationQuotaExceeded
from quizzes.services.invites import create_invites, resend_invitations
from tests.api.conftest import ApiClient, token_for
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _allowance(settings):
    settings.INVITATION_EMAILS_PER_HOUR = 3


@pytest.fixture
def quiz():
    return make_quiz(title="Квота", access="invite")


def _recruiter(name: str = "rita") -> User:
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    return user


def _entries(count: int, start: int = 0) -> list[InviteEntry]:
    return [InviteEntry(f"К{n}", f"c{n}@example.com") for n in range(start, start + count)]


def test_beyond_the_hourly_allowance_nothing_is_created_or_queued(quiz):
    rita, olga = _recruiter(), _recruiter("olga")
    create_invites(quiz=quiz, entries=_entries(2), send_email=True, created_by=rita)
    with pytest.raises(InvitationQuotaExceeded) as refused:
        create_invites(quiz=quiz, entries=_entries(2, 2), send_email=True, created_by=rita)
    assert (refused.value.allowed, refused.value.used, refused.value.asked) == (3, 2, 2)
    assert Invite.objects.count() == 2 and OutboundEmail.objects.count() == 2
    # Another user has their own allowance; links without email cost none.
    create_invites(quiz=quiz, entries=_entries(3, 10), send_email=True, created_by=olga)
    create_invites(quiz=quiz, entries=_entries(5, 20), send_email=False, created_by=rita)
    # An hour later the first emails no longer count.
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        create_invites(quiz=quiz, entries=_entries(3, 30), send_email=True, created_by=rita)
    assert OutboundEmail.objects.filter(queued_by=rita).count() == 5


def test_resending_counts_against_whoever_resends(quiz):
    rita, olga = _recruiter(), _recruiter("olga")
    invites = create_invites(quiz=quiz, entries=_entries(3), send_email=True, created_by=rita)
    with pytest.raises(InvitationQuotaExceeded):
        resend_invitations(invites=invites[:1], user=rita)
    assert resend_invitations(invites=invites, user=olga) == 3


def test_the_admin_bulk_page_refuses_with_the_reason_in_russian(client, quiz):
    client.force_login(_recruiter())
    lines = "\n".join(f"К{n} <c{n}@example.com>" for n in range(4))
    response = client.post(
        reverse("admin:quizzes_invite_bulk"),
        {
            "quiz": quiz.pk,
            "max_uses": 1,
            "expires_at": "",
            "language": "ru",
            "lines": lines,
            "send_email": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "не больше 3 в час" in html
    assert Invite.objects.count() == 0 and OutboundEmail.objects.count() == 0


def test_the_resend_action_refuses_with_the_reason(client, quiz):
    rita = _recruiter()
    invites = create_invites(quiz=quiz, entries=_entries(3), send_email=True, created_by=rita)
    client.force_login(rita)
    response = client.post(
        reverse("admin:quizzes_invite_changelist"),
        {"action": "resend_invitation", "_selected_action": [invites[0].pk]},
        follow=True,
    )
    assert "не больше 3 в час" in response.content.decode()
    assert OutboundEmail.objects.count() == 3


def test_the_api_answers_429_and_creates_nothing(client, quiz):
    api = ApiClient(client, token_for(_recruiter()))
    body = {
        "quiz": quiz.slug,
        "send_email": True,
        "candidates": [{"name": f"К{n}", "email": f"c{n}@example.com"} for n in range(4)],
    }
    response = api.post("/invites/bulk", body, headers={"Idempotency-Key": "k1"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:quizsite:problem:email-quota"
    assert response["Retry-After"] == "3600"
    assert Invite.objects.count() == 0 and OutboundEmail.objects.count() == 0
    # The refused key is free again: the same request succeeds once it fits.
    body["candidates"] = body["candidates"][:3]
    assert api.post("/invites/bulk", body, headers={"Idempotency-Key": "k2"}).status_code == 201
