"""What each role is offered in the admin, and what happens when it asks for more.

The role matrix (test_role_matrix.py) walks every action and page for every role; these
tests pin the details a person sees: the action menu, the regrade preview, the links.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Quiz, ScoreChange
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

QUIZ_LIST = reverse("admin:quizzes_quiz_changelist")
WRONG_THEN_RIGHT = "Он не требует learning rate"


def staff(username: str, group: str | None = None, *, permissions=(), is_staff=True) -> User:
    user = User.objects.create_user(username, is_staff=is_staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def regradable():
    """A finished attempt scored 0 whose chosen option was since made correct."""
    quiz = make_quiz(title="Права")
    attempt = finish(quiz, {2: [WRONG_THEN_RIGHT]}, name="Вера Кандидатова", email="v@example.com")
    quiz.questions.get(position=2).options.filter(text=WRONG_THEN_RIGHT).update(verdict="correct")
    return attempt


def offered_actions(client) -> list[str]:
    html = client.get(QUIZ_LIST).content.decode()
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the quiz list has no action menu"
    return [value for value in re.findall(r'<option value="([^"]*)"', select.group(1)) if value]


def post_action(client, action: str, quiz: Quiz, **extra):
    return client.post(QUIZ_LIST, {"action": action, "_selected_action": [quiz.pk], **extra})


def test_recruiters_are_offered_export_and_regrade_but_not_publish_or_duplicate(client):
    make_quiz()
    client.force_login(staff("rita", "Recruiters"))
    assert offered_actions(client) == ["export_seed", "export_tasklist", "regrade_attempts"]


def test_authors_are_offered_every_quiz_action(client):
    make_quiz()
    client.force_login(staff("artur", "Authors"))
    assert offered_actions(client) == [
        "delete_selected",
        "publish",
        "unpublish",
        "duplicate",
        "export_seed",
        "export_tasklist",
        "regrade_attempts",
    ]


def test_a_recruiter_posting_publish_gets_nothing_published(english):
    quiz = make_quiz(published=False)
    english.force_login(staff("rita", "Recruiters"))
    response = post_action(english, "publish", quiz)
    assert response.status_code == 302
    assert "No action selected." in english.get(response["Location"]).content.decode()
    quiz.refresh_from_db()
    assert not quiz.published


def test_duplicating_needs_both_add_and_change(client):
    quiz = make_quiz()
    client.force_login(staff("clerk", permissions=["view_quiz", "add_quiz"]))
    assert "duplicate" not in offered_actions(client)
    post_action(client, "duplicate", quiz)
    assert list(Quiz.objects.values_list("slug", flat=True)) == [quiz.slug]


def test_an_authors_regrade_preview_shows_counts_and_never_a_candidate(english, regradable):
    english.force_login(staff("artur", "Authors"))
    html = post_action(english, "regrade_attempts", regradable.quiz).content.decode()
    counts = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", html)
    assert counts == [
        ("Attempts that would be regraded", "1"),
        ("Attempts already graded with the current verdicts", "0"),
        ("Attempts skipped, because their questions changed shape", "0"),
    ]
    assert "Вера" not in html and "v@example.com" not in html
    assert 'name="confirm"' not in html
    assert "only by staff who may regrade attempts" in html


def test_an_author_confirming_a_regrade_is_refused_and_nothing_changes(client, regradable):
    client.force_login(staff("artur", "Authors"))
    response = post_action(client, "regrade_attempts", regradable.quiz, confirm="yes")
    assert response.status_code == 403
    regradable.refresh_from_db()
    assert regradable.score == 0 and not ScoreChange.objects.exists()


def test_a_recruiter_previews_with_names_and_then_regrades(english, regradable):
    recruiter = staff("rita", "Recruiters")
    english.force_login(recruiter)
    html = post_action(english, "regrade_attempts", regradable.quiz).content.decode()
    assert "Вера Кандидатова &lt;v@example.com&gt;</td><td>0</td><td>1</td>" in html
    assert regradable.quiz.attempts.get().score == 0

    response = post_action(english, "regrade_attempts", regradable.quiz, confirm="yes")
    assert response.status_code == 302
    regradable.refresh_from_db()
    assert regradable.score == 1
    change = ScoreChange.objects.get()
    assert (change.kind, change.changed_by) == ("regrade", recruiter)


@pytest.mark.parametrize(
    ("group", "permissions", "sees_link"),
    [
        ("Authors", [], True),
        ("Recruiters", [], False),
        (None, ["view_quiz", "add_quiz"], False),  # the import page would refuse them
    ],
)
def test_the_import_link_shows_only_to_those_the_import_page_lets_in(
    client, group, permissions, sees_link
):
    client.force_login(staff("someone", group, permissions=permissions))
    html = client.get(QUIZ_LIST).content.decode()
    assert (reverse("admin:quizzes_quiz_import") in html) is sees_link
    assert client.get(reverse("admin:quizzes_quiz_import")).status_code == (
        200 if sees_link else 403
    )


def test_the_bulk_invite_link_shows_only_to_those_who_may_add_invites(client):
    bulk = reverse("admin:quizzes_invite_bulk")
    client.force_login(staff("vera", None, permissions=["view_invite"]))
    assert bulk not in client.get(reverse("admin:quizzes_invite_changelist")).content.decode()
    assert client.get(bulk).status_code == 403
    client.force_login(staff("rita", "Recruiters"))
    assert bulk in client.get(reverse("admin:quizzes_invite_changelist")).content.decode()
    assert client.get(bulk).status_code == 200


def test_superusers_remove_expired_failed_login_records_from_the_admin(english):
    # Signing in cleans up too, so the records are made afterwards.
    english.force_login(User.objects.create_superuser("boss", "b@example.org", "pw"))
    fields = {"user_agent": "x", "http_accept": "*", "path_info": "/admin/login/"}
    fields.update(get_data="", post_data="", failures_since_start=5)
    expired = AccessAttempt.objects.create(ip_address="192.0.2.1", **fields)
    AccessAttempt.objects.filter(pk=expired.pk).update(
        attempt_time=timezone.now() - timedelta(days=2)
    )
    fresh = AccessAttempt.objects.create(ip_address="192.0.2.2", **fields)

    response = english.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "cleanup_expired_attempts", "_selected_action": [fresh.pk]},
        follow=True,
    )

    assert "1 expired failed-login record removed." in response.content.decode()
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [fresh.pk]
