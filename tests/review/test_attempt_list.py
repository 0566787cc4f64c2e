"""The attempts list: filters, search, sorting, pagination, constant query count."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Invite
from quizzes.services.attempts import start_attempt
from quizzes.services.regrade import regrade_quiz_attempts
from quizzes.services.review import override_question_score
from tests.builders import ALL_RIGHT, ALL_WRONG, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

URL = reverse("quizzes:review_attempts")


def names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<a href="/review/attempt/[0-9a-f-]+/">([^<]+)</a>', html)


@pytest.fixture
def cohort():
    quiz = make_quiz(title="Сид")
    other = make_quiz(title="Другой")
    invite = Invite.objects.create(quiz=quiz, candidate_email="inv@example.com")
    finish(quiz, ALL_RIGHT, name="Отличница", email="best@example.com", minutes=30)
    finish(quiz, {2: ALL_RIGHT[2]}, name="Середняк", email="mid@example.com", minutes=5)
    finish(quiz, ALL_WRONG, name="Приглашённый", email="inv@example.com", invite=invite)
    start_attempt(quiz=quiz, candidate_name="В процессе", candidate_email="p@x.org")
    finish(other, ALL_RIGHT, name="Чужой", email="other@example.com", minutes=1)
    return quiz, other, invite


def test_lists_attempts_newest_first_with_score_and_quiz(recruiter_client, cohort):
    response = recruiter_client.get(URL)
    html = response.content.decode()
    assert names(response) == ["В процессе", "Чужой", "Середняк", "Приглашённый", "Отличница"]
    assert "best@example.com" in html and "3 / 3" in html and "Другой" in html
    assert 'data-total="5"' in html


def test_filters_by_quiz_state_and_invite(recruiter_client, cohort):
    quiz, _, invite = cohort
    assert names(recruiter_client.get(URL, {"quiz": quiz.pk, "state": "submitted"})) == [
        "Середняк",
        "Приглашённый",
        "Отличница",
    ]
    assert names(recruiter_client.get(URL, {"invite": "yes"})) == ["Приглашённый"]
    assert names(recruiter_client.get(URL, {"invite": str(invite.pk)})) == ["Приглашённый"]
    assert "Приглашённый" not in names(recruiter_client.get(URL, {"invite": "no"}))


def test_filters_by_score_percent_range_and_search(recruiter_client, cohort):
    # Отличница 100%, Середняк 33%, Приглашённый 0%, Чужой 100%; in progress has no score.
    got = names(recruiter_client.get(URL, {"percent_min": "30", "percent_max": "99"}))
    assert got == ["Середняк"]
    assert names(recruiter_client.get(URL, {"percent_min": "100"})) == ["Чужой", "Отличница"]
    assert names(recruiter_client.get(URL, {"q": "MID@"})) == ["Середняк"]
    assert names(recruiter_client.get(URL, {"q": "отлич"})) == ["Отличница"]


def test_filters_by_start_date(recruiter_client, cohort):
    quiz = cohort[0]
    Attempt.objects.filter(candidate_name="Отличница").update(
        started_at=timezone.now() - timedelta(days=10)
    )
    # The local day the other attempts started on: shortly after midnight, the 30-minute
    # attempt began the day before.
    earliest = Attempt.objects.filter(quiz=quiz).exclude(candidate_name="Отличница")
    today = timezone.localdate(min(earliest.values_list("started_at", flat=True)))
    got = names(recruiter_client.get(URL, {"quiz": quiz.pk, "started_to": today - timedelta(5)}))
    assert got == ["Отличница"]
    got = names(recruiter_client.get(URL, {"quiz": quiz.pk, "started_from": today}))
    assert "Отличница" not in got and len(got) == 3


def test_sorts_by_score_and_duration(recruiter_client, cohort):
    quiz = cohort[0]
    by_score = names(recruiter_client.get(URL, {"quiz": quiz.pk, "sort": "-score"}))
    assert by_score[:3] == ["Отличница", "Середняк", "Приглашённый"]
    by_duration = names(
        recruiter_client.get(URL, {"quiz": quiz.pk, "state": "submitted", "sort": "-duration"})
    )
    assert by_duration == ["Отличница", "Приглашённый", "Середняк"]  # 30, 10, 5 minutes
    by_duration = names(recruiter_client.get(URL, {"quiz": quiz.pk, "sort": "duration"}))
    assert by_duration == ["Середняк", "Приглашённый", "Отличница", "В процессе"]


def test_invalid_filters_are_reported_not_a_crash(recruiter_client, cohort):
    response = recruiter_client.get(URL, {"percent_min": "abc", "invite": "x", "quiz": "999"})
    assert response.status_code == 200
    assert len(names(response)) == 5  # broken filters are not applied
    assert response.content.decode().count('class="text-danger small"') == 3


def test_paginates_fifty_per_page_keeping_filters(recruiter_client):
    quiz = make_quiz()
    for n in range(55):
        start_attempt(quiz=quiz, candidate_name=f"Кандидат {n}", candidate_email="c@x.org")
    first = recruiter_client.get(URL, {"quiz": quiz.pk})
    assert len(names(first)) == 50
    assert f"?quiz={quiz.pk}&amp;page=2" in first.content.decode()
    assert len(names(recruiter_client.get(URL, {"quiz": quiz.pk, "page": 2}))) == 5


def test_query_count_does_not_grow_with_the_number_of_attempts(
    recruiter_client, django_assert_num_queries
):
    quiz = make_quiz()
    invite = Invite.objects.create(quiz=quiz, kind="shared", max_uses=100)
    finish(quiz, ALL_RIGHT, invite=invite)
    recruiter_client.get(URL)  # warm the session and permission caches alike
    with CaptureQueriesContext(connection) as one:
        assert len(names(recruiter_client.get(URL))) == 1
    for n in range(49):
        finish(quiz, ALL_WRONG, name=f"К{n}", invite=invite if n % 2 else None)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(names(recruiter_client.get(URL))) == 50
    assert len(one.captured_queries) <= 8


def stored_percent(attempt) -> float | None:
    return Attempt.objects.values_list("percent", flat=True).get(pk=attempt.pk)


def test_stored_percent_follows_submit_regrade_and_override(quiz, recruiter):
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    assert stored_percent(attempt) is None  # not graded yet: matches no score range
    attempt = finish(quiz, ALL_RIGHT)
    assert stored_percent(attempt) == pytest.approx(100.0)
    quiz.questions.get(position=1).options.filter(text="Dropout").update(verdict="incorrect")
    regrade_quiz_attempts(quiz=quiz, dry_run=False, user=recruiter)
    attempt.refresh_from_db()
    assert attempt.score < attempt.max_score
    assert stored_percent(attempt) == pytest.approx(float(attempt.score * 100 / attempt.max_score))
    override_question_score(
        attempt=attempt,
        question_id=quiz.questions.get(position=2).id,
        points=Decimal(0),
        reason="устно",
        user=recruiter,
    )
    attempt.refresh_from_db()
    assert stored_percent(attempt) == pytest.approx(float(attempt.score * 100 / attempt.max_score))
    assert stored_percent(attempt) < 67


def test_score_sort_puts_ungraded_attempts_last_best_first_and_first_worst_first(
    recruiter_client, cohort
):
    quiz = cohort[0]
    best_first = names(recruiter_client.get(URL, {"quiz": quiz.pk, "sort": "-score"}))
    assert best_first == ["Отличница", "Середняк", "Приглашённый", "В процессе"]
    worst_first = names(recruiter_client.get(URL, {"quiz": quiz.pk, "sort": "score"}))
    assert worst_first == ["В процессе", "Приглашённый", "Середняк", "Отличница"]
