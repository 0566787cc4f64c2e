"""Migration 0010 fills the stored totals of attempts finished before it."""

from decimal import Decimal

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("quizzes", "0009_hiring_status_and_question_history")]
AFTER = [("quizzes", "0010_attempt_marks_total")]


@pytest.fixture
def old_apps():
    yield migrate(BEFORE)
    migrate_to_latest()


def test_finished_attempts_get_their_answers_points_added_up(old_apps):
    Quiz = old_apps.get_model("quizzes", "Quiz")
    Revision = old_apps.get_model("quizzes", "QuizRevision")
    Attempt = old_apps.get_model("quizzes", "Attempt")
    Answer = old_apps.get_model("quizzes", "Answer")
    quiz = Quiz.objects.create(title="До", slug="do")
    revision = Revision.objects.create(quiz=quiz, content={}, content_hash="h")

    def attempt(name, state, *answers):
        made = Attempt.objects.create(
            quiz=quiz, revision=revision, candidate_name=name, candidate_email="a@x.org",
            state=state, score=1, max_score=3,
        )  # fmt: skip
        for question_id, (points, override) in enumerate(answers, start=1):
            Answer.objects.create(
                attempt=made, question_id=question_id, points=points, override_points=override
            )
        return made.pk

    thirds = attempt("Трети", "submitted", *[(Decimal("0.3333"), None)] * 3)
    overridden = attempt("Исправлен", "closed", (Decimal(1), Decimal("0.5")), (None, None))
    blank = attempt("Пусто", "submitted")
    still_open = attempt("Открыт", "in_progress", (Decimal(1), None))

    apps = migrate(AFTER)

    totals = dict(apps.get_model("quizzes", "Attempt").objects.values_list("pk", "marks_total"))
    assert totals == {
        thirds: Decimal("0.9999"),
        overridden: Decimal("0.5"),
        blank: Decimal(0),
        still_open: None,
    }
