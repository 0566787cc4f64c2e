"""The statistics page's database path (count tables) against the pure one-pass reference."""

import math
from decimal import Decimal

import pytest

from quizzes.models import Answer, Attempt
from quizzes.selectors.review import FINISHED, quiz_revisions
from quizzes.selectors.statistics import item_statistics, question_infos, statistics_versions
from quizzes.services.attempts import start_attempt
from quizzes.services.review import override_question_score
from quizzes.statistics import QuestionStatistics
from tests.builders import make_quiz
from tests.review.conftest import finish
from tests.review.test_statistics_page import QUESTIONS, answers
from tests.statistics_oracle import ItemResponse, quiz_statistics

pytestmark = pytest.mark.django_db


def reference(quiz, version, content):
    """Every answer through the ORM, then the one-pass computation of the oracle."""
    questions = question_infos(content)
    max_marks = {q.id: q.max_mark for q in questions}
    attempts = []
    for attempt in Attempt.objects.filter(
        quiz=quiz, state__in=FINISHED, revision_id__in=version.revision_ids
    ).order_by("id"):
        attempts.append(
            [
                ItemResponse(
                    a.question_id,
                    float(a.effective_points or 0),
                    max_marks[a.question_id],
                    tuple(a.selected),
                )
                for a in attempt.answers.all()
                if a.question_id in max_marks
            ]
        )
    return quiz_statistics(attempts, questions)


def same(got, want):
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    return got == want


def test_database_tables_give_the_one_pass_report_with_overrides_and_blank_attempts(
    recruiter,
):
    quiz = make_quiz(questions=QUESTIONS, title="Таблицы")
    rows = [(1, 1, 1, 1), (1, 1, 0, 1), (1, 0, 0, 1), (0, 0, None, 1), (1, None, 1, 0)]
    finished = [finish(quiz, answers(*marks), name=f"A{n}") for n, marks in enumerate(rows)]
    blank = finish(quiz, {}, name="Blank")
    Answer.objects.filter(attempt=blank).delete()  # an attempt with no saved answer at all
    start_attempt(quiz=quiz, candidate_name="Open", candidate_email="o@x.org")
    first = finished[0].answers.order_by("question_id").first()
    override_question_score(
        attempt=finished[0],
        question_id=first.question_id,
        points=Decimal("0.5"),
        reason="partly right",
        user=recruiter,
    )
    revisions = quiz_revisions(quiz)
    version = statistics_versions(quiz, revisions)[0]
    content = revisions[version.newest]

    got = item_statistics(quiz, version, content)
    want = reference(quiz, version, content)

    assert got.attempts == want.attempts == 6
    # A0's override (3.5), the blank attempt (0); q3: A, B, B, nothing, A, nothing.
    assert sorted(got.totals) == [0.0, 1.0, 2.0, 2.0, 3.0, 3.5]
    q3 = got.questions[2]
    assert (q3.answered, q3.no_answer) == (4, 2)
    assert [count.count for count in q3.option_counts] == [2, 2]
    for name in ("max_total", "mean", "median", "sd", "cronbach_alpha", "totals"):
        assert all(
            map(
                same,
                getattr(got, name) if name == "totals" else [getattr(got, name)],
                getattr(want, name) if name == "totals" else [getattr(want, name)],
            )
        ), name
    assert len(got.questions) == 4
    for mine, theirs in zip(got.questions, want.questions, strict=True):
        for name in QuestionStatistics.__dataclass_fields__:
            assert same(getattr(mine, name), getattr(theirs, name)), (mine.position, name)
