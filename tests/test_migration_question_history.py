"""Migration 0009 on a database with score changes and attempts made before it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("quizzes", "0008_rendered_html")]
AFTER = [("quizzes", "0009_hiring_status_and_question_history")]


@pytest.fixture
def old_apps():
    yield migrate(BEFORE)
    migrate_to_latest()


def old_attempt(apps):
    Quiz = apps.get_model("quizzes", "Quiz")
    quiz = Quiz.objects.create(title="Старый", slug="staryi", published=True)
    content = {"title": "Старый", "description": "", "description_html": "", "questions": []}
    revision = apps.get_model("quizzes", "QuizRevision").objects.create(
        quiz=quiz, content=content, content_hash="h"
    )
    return apps.get_model("quizzes", "Attempt").objects.create(
        quiz=quiz,
        revision=revision,
        candidate_name="Анна",
        candidate_email="anna@example.com",
        state="submitted",
        score=Decimal("1.75"),
        max_score=Decimal(3),
    )


def test_old_overrides_get_their_question_points_and_regrades_keep_totals_only(old_apps):
    attempt = old_attempt(old_apps)
    Answer = old_apps.get_model("quizzes", "Answer")
    Answer.objects.create(attempt=attempt, question_id=7, points=0, override_points=Decimal("0.75"))
    # An answer whose override cannot be what the totals say (0.2 after a step of 0.5).
    Answer.objects.create(attempt=attempt, question_id=8, points=0, override_points=Decimal("0.2"))
    ScoreChange = old_apps.get_model("quizzes", "ScoreChange")
    start = timezone.now() - timedelta(hours=1)

    def change(minutes, kind, question, old, new):
        return ScoreChange.objects.create(
            attempt=attempt,
            kind=kind,
            question_id=question,
            old_score=Decimal(old),
            new_score=Decimal(new),
            created_at=start + timedelta(minutes=minutes),
        ).pk

    regrade = change(0, "regrade", None, "0", "1")
    first = change(1, "override", 7, "1", "1.5")  # question 7: 0 -> 0.5
    second = change(2, "override", 7, "1.5", "1.75")  # question 7: 0.5 -> 0.75
    odd = change(3, "override", 8, "1.75", "2.25")

    apps = migrate(AFTER)

    changes = apps.get_model("quizzes", "ScoreChange").objects
    items = {
        (item.change_id, item.question_id, item.old_points, item.new_points)
        for item in apps.get_model("quizzes", "QuestionScoreChange").objects.all()
    }
    assert items == {(first, 7, 0, Decimal("0.5")), (second, 7, Decimal("0.5"), Decimal("0.75"))}
    itemized = dict(changes.values_list("pk", "itemized"))
    assert itemized == {regrade: False, first: True, second: True, odd: False}
    assert apps.get_model("quizzes", "Attempt").objects.get().hiring_status == "new"


def test_recruiters_may_set_the_hiring_status_after_the_migration(old_apps):
    for name in ("Authors", "Recruiters"):
        old_apps.get_model("auth", "Group").objects.create(name=name)

    apps = migrate(AFTER)

    Group = apps.get_model("auth", "Group")

    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert "set_hiring_status" in codenames("Recruiters")
    assert "set_hiring_status" not in codenames("Authors")
