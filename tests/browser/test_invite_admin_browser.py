"""The invite's page in the Russian admin, as a Recruiter reads it at 1366 px."""

import pytest
from django.contrib.auth.models import Group, User

from quizzes.candidates import InviteEntry
from quizzes.models import OutboundEmail
from quizzes.services.invites import create_invites
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_emails_of_an_invite_line_up_with_its_other_values(
    browser, live_server, screenshot, roles
):
    quiz = make_quiz(title="Тест по DL")
    invite = create_invites(
        quiz=quiz, entries=[InviteEntry("Вера", "vera@example.com")], send_email=True
    )[0]
    assert OutboundEmail.objects.filter(invite=invite).exists()
    user = User.objects.create_user("recruiter", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "recruiter")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/admin/quizzes/invite/{invite.pk}/change/")
    emails = page.locator("ul.invite-emails li").first
    link = page.locator("input.invite-link")
    assert "Приглашение · Отправлено" in emails.inner_text()
    screenshot(page, "invite")
    # Both sit in the value column, one under the other.
    assert abs(emails.bounding_box()["x"] - link.bounding_box()["x"]) < 2
    context.close()
