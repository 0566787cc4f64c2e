"""A recruiter in a real browser: the attempt page and a refused override pass axe."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from quizzes.models import ScoreChange
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attempt_page_and_a_refused_override_are_accessible(
    context, page, live_server, axe_violations, screenshot
):
    recruiter = get_user_model().objects.create_superuser("boss", "boss@x.org", "pw")
    client = Client()
    client.force_login(recruiter)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    attempt = finish(make_quiz(title="Проверка"), {1: ["MaxPooling"], 3: ["Переобучение"]})

    page.goto(live_server.url + reverse("quizzes:review_attempt", args=[attempt.public_id]))
    assert page.locator("section.reviewed-question").count() == 3
    assert axe_violations(page) == []

    card = page.locator("section.reviewed-question").nth(1)
    card.locator("details.override summary").click()
    points = card.get_by_label("Баллы (0–1)")
    assert points.get_attribute("max") and points.get_attribute("step") == "0.0001"
    points.fill("0.5")
    card.get_by_label("Причина (обязательно)").fill("   ")  # only spaces: the form refuses
    card.get_by_role("button", name="Изменить").click()
    page.wait_for_load_state()
    refused = page.locator("details.override[open]")
    assert refused.count() == 1
    assert refused.locator("input[name=reason]").get_attribute("aria-invalid") == "true"
    screenshot(page, "override-refused")
    assert axe_violations(page) == []
    assert not ScoreChange.objects.exists()
