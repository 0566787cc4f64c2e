"""Stored per-attempt totals (Attempt.marks_total) and the statistics query that uses them.

The statistics used to recover each attempt's total with a window over every answer row;
they now read the total stored at submit, regrade and override. `window_count_tables` below
is that former query, kept as the reference: on the same data both give the same report.
"""

import math
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from quizzes.models import Answer, Attempt
from quizzes.selectors import statistics as selector
from quizzes.selectors.review import FINISHED, quiz_revisions
from quizzes.services.attempts import start_attempt, submit_attempt
from quizzes.services.regrade import regrade_quiz_attempts
from quizzes.services.review import override_question_score
from quizzes.statistics import QuestionStatistics
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

# Three questions where one of three right options earns a third: 0.3333 each, so the
# answers' points add up to 0.9999 while the score (the exact sum, rounded once) is 1.
THIRDS = [
    (
        f"Третий {n}",
        "multiple",
        [(f"да {n}.{k}", "correct") for k in (1, 2, 3)] + [(f"нет {n}", "incorrect")],
    )
    for n in (1, 2, 3)
]


def one_right_each(*positions):
    return {n: [f"да {n}.1"] for n in positions}


def window_count_tables(quiz, version, question_ids):
    """The former count tables: attempt totals from a window over the answer rows."""
    answer, attempt = Answer._meta.db_table, Attempt._meta.db_table
    revisions = ", ".join(["%s"] * len(version.revision_ids))
    questions = ", ".join(["%s"] * len(question_ids))
    scope = (
        f"FROM {answer} an JOIN {attempt} at ON at.id = an.attempt_id "
        f"WHERE at.quiz_id = %s AND at.state IN (%s, %s) AND at.revision_id IN ({revisions}) "
        f"AND an.question_id IN ({questions})"
    )
    mark = "COALESCE(an.override_points, an.points, 0)"
    marks_sql = (
        "SELECT question_id, total, mark, answered, COUNT(*) FROM ("
        f"SELECT an.question_id, {mark} AS mark, "
        f"SUM({mark}) OVER (PARTITION BY an.attempt_id) AS total, "
        "COUNT(*) OVER (PARTITION BY an.attempt_id) AS answered "
        f"{scope}) AS rows GROUP BY question_id, total, mark, answered"
    )
    selections_sql = f"SELECT an.question_id, an.selected, COUNT(*) {scope} GROUP BY 1, 2"
    params = [quiz.pk, *FINISHED, *version.revision_ids, *question_ids]
    joint = {qid: Counter() for qid in question_ids}
    selections = {qid: Counter() for qid in question_ids}
    answered_totals = Counter()
    with connection.cursor() as cursor:
        cursor.execute(marks_sql, params)
        for question_id, total, mark_value, answered, count in cursor.fetchall():
            key = (float(total), float(mark_value), float(total - mark_value))
            joint[question_id][key] += count
            answered_totals[float(total)] += count / answered
        cursor.execute(selections_sql, params)
        for question_id, selected, count in cursor.fetchall():
            selections[question_id][selector._selected_ids(selected)] += count
    totals = Counter({total: round(count) for total, count in answered_totals.items()})
    totals[0.0] += max(0, version.attempts - sum(totals.values()))
    return selector._CountTables(joint=joint, totals=totals, selections=selections)


def same(got, want):
    if connection.vendor == "postgresql":
        # Decimal sums on both sides: the very same floats.
        return got == want
    # SQLite adds the answers' points as floats: 0.3333 * 3 may come out a hair off 0.9999.
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(want, tuple) and want and isinstance(want[0], float):
        return len(got) == len(want) and all(map(same, got, want))
    return got == want


def test_marks_total_follows_submit_time_up_regrade_and_override(recruiter):
    quiz = make_quiz(questions=THIRDS, title="Трети")
    attempt = finish(quiz, one_right_each(1, 2, 3))
    assert (attempt.score, attempt.marks_total) == (Decimal(1), Decimal("0.9999"))

    open_attempt = start_attempt(quiz=quiz, candidate_name="Б", candidate_email="b@x.org")
    assert Attempt.objects.get(pk=open_attempt.pk).marks_total is None
    Attempt.objects.filter(pk=open_attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=5)
    )
    closed = submit_attempt(attempt_id=open_attempt.pk, selections={}).attempt
    assert (closed.state, closed.marks_total) == (Attempt.State.CLOSED, Decimal(0))

    first = quiz.questions.get(position=1)
    override_question_score(
        attempt=attempt, question_id=first.id, points=Decimal("0.5"), reason="устно", user=recruiter
    )
    attempt.refresh_from_db()
    assert attempt.marks_total == Decimal("1.1666")

    # The third option of question 2 was wrong all along: one right of two is a half.
    first.quiz.questions.get(position=2).options.filter(text="да 2.3").update(verdict="incorrect")
    regrade_quiz_attempts(quiz=quiz, dry_run=False, user=recruiter)
    attempt.refresh_from_db()
    assert attempt.marks_total == Decimal("0.5") + Decimal("0.5") + Decimal("0.3333")


def _report_data(recruiter):
    quiz = make_quiz(questions=THIRDS, title="Сравнение")
    finished = [
        finish(quiz, one_right_each(1, 2, 3), name="Трети"),
        finish(quiz, {1: ["да 1.1", "да 1.2", "да 1.3"], 2: ["нет 2"]}, name="Первый"),
        finish(quiz, one_right_each(2), name="Один"),
        finish(quiz, {3: ["да 3.1", "да 3.2"]}, name="Две трети"),
        finish(quiz, {}, name="Пусто"),
    ]
    Answer.objects.filter(attempt=finished[-1]).delete()  # no saved answer at all
    timed_out = start_attempt(quiz=quiz, candidate_name="Время", candidate_email="t@x.org")
    Attempt.objects.filter(pk=timed_out.pk).update(deadline=timezone.now() - timedelta(hours=1))
    submit_attempt(attempt_id=timed_out.pk, selections={})
    start_attempt(quiz=quiz, candidate_name="Открыт", candidate_email="o@x.org")
    override_question_score(
        attempt=finished[1],
        question_id=quiz.questions.get(position=3).id,
        points=Decimal("0.25"),
        reason="устно",
        user=recruiter,
    )
    return quiz


def test_stored_totals_give_the_report_the_window_query_gave(recruiter):
    quiz = _report_data(recruiter)
    revisions = quiz_revisions(quiz)
    version = selector.statistics_versions(quiz, revisions)[0]
    content = revisions[version.newest]

    got = selector.item_statistics(quiz, version, content)
    with mock.patch.object(selector, "_count_tables", window_count_tables):
        want = selector.item_statistics(quiz, version, content)

    assert got.attempts == want.attempts == 6
    # Totals as the answers add up (0.9999, not the score's 1), and the overridden 1.25.
    assert sorted(got.totals) == pytest.approx([0, 0, 0.3333, 0.6667, 0.9999, 1.25])
    for name in ("max_total", "mean", "median", "sd", "cronbach_alpha", "totals"):
        assert same(getattr(got, name), getattr(want, name)), name
    for mine, theirs in zip(got.questions, want.questions, strict=True):
        for name in QuestionStatistics.__dataclass_fields__:
            assert same(getattr(mine, name), getattr(theirs, name)), (mine.position, name)
    assert got.questions[0].discriminative_efficiency is not None


def test_statistics_read_the_answers_in_one_query(recruiter, django_assert_max_num_queries):
    quiz = _report_data(recruiter)
    revisions = quiz_revisions(quiz)
    version = selector.statistics_versions(quiz, revisions)[0]
    # The aggregate, plus on PostgreSQL the SET LOCAL that turns JIT off, in a savepoint.
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 1):
        selector.item_statistics(quiz, version, revisions[version.newest])
