"""The recruiter's own notification settings under /review/notifications/."""

import pytest
from django.urls import reverse

from quizzes.models import NotificationPreference

pytestmark = pytest.mark.django_db

PAGE = reverse("quizzes:review_notifications")


def test_the_attempts_list_links_the_settings(recruiter_client):
    html = recruiter_client.get(reverse("quizzes:review_attempts")).content.decode()
    assert f'href="{PAGE}"' in html and "Уведомления по почте" in html


def test_showing_the_page_writes_nothing_and_offers_the_choices(recruiter_client, recruiter):
    html = recruiter_client.get(PAGE).content.decode()

    assert NotificationPreference.objects.count() == 0
    assert "Письма приходят на rita@x.org." in html
    for value in ("off", "each", "daily"):
        assert f'value="{value}"' in html
    assert "Сводка приходит в 7:00 UTC" in html


def test_a_recruiter_changes_only_their_own_choice(recruiter_client, recruiter, make_user):
    other = make_user("olga", group="Recruiters")
    NotificationPreference.objects.create(user=other, mode="daily", language="ru")

    response = recruiter_client.post(PAGE, {"mode": "daily", "language": "en"})
    assert response.status_code == 302 and response["Location"] == PAGE
    recruiter_client.post(PAGE, {"mode": "each", "language": "en"})

    mine = NotificationPreference.objects.get(user=recruiter)
    assert (mine.mode, mine.language) == ("each", "en")
    assert NotificationPreference.objects.get(user=other).mode == "daily"
    assert NotificationPreference.objects.count() == 2


def test_an_unknown_choice_is_refused(recruiter_client, recruiter):
    response = recruiter_client.post(PAGE, {"mode": "hourly", "language": "de"})
    assert response.status_code == 200
    assert NotificationPreference.objects.count() == 0


def test_an_account_without_an_email_is_told(recruiter_client, recruiter):
    recruiter.email = ""
    recruiter.save()
    html = recruiter_client.get(PAGE).content.decode()
    assert "нет адреса почты" in html
