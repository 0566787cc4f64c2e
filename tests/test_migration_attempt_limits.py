"""Migration 0005 on a database with invites and quizzes made before it."""

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("quizzes", "0003_review_list_indexes")]
AFTER = [("quizzes", "0005_attempt_limits")]


@pytest.fixture
def old_apps():
    yield migrate(BEFORE)
    migrate_to_latest()


def test_invites_without_an_email_become_shared_links_and_keep_their_name(old_apps):
    Quiz = old_apps.get_model("quizzes", "Quiz")
    Invite = old_apps.get_model("quizzes", "Invite")
    quiz = Quiz.objects.create(title="Старый", slug="staryi", published=True)
    Invite.objects.create(quiz=quiz, token="named", candidate_email="a@example.com")
    Invite.objects.create(quiz=quiz, token="nameless", candidate_name="Группа 1", max_uses=9)
    Invite.objects.create(quiz=quiz, token="blank")

    apps = migrate(AFTER)

    invites = {
        i.token: (i.kind, i.label, i.candidate_name, i.candidate_email)
        for i in apps.get_model("quizzes", "Invite").objects.all()
    }
    assert invites == {
        "named": ("personal", "", "", "a@example.com"),
        "nameless": ("shared", "Группа 1", "", ""),
        "blank": ("shared", "", "", ""),
    }
    assert apps.get_model("quizzes", "Quiz").objects.get().attempts_allowed == 1


def test_recruiters_may_grant_attempts_after_the_migration(old_apps):
    # As 0002_roles left them (a transactional test starts from an emptied database).
    for name in ("Authors", "Recruiters"):
        old_apps.get_model("auth", "Group").objects.create(name=name)

    apps = migrate(AFTER)

    Group = apps.get_model("auth", "Group")
    codenames = set(
        Group.objects.get(name="Recruiters").permissions.values_list("codename", flat=True)
    )
    assert {"add_attemptgrant", "view_attemptgrant"} <= codenames
    authors = set(Group.objects.get(name="Authors").permissions.values_list("codename", flat=True))
    assert not {c for c in authors if "grant" in c}
