"""GET /api/v1/attempts (filters, cursor pages) and GET /api/v1/attempts/{id} (answers)."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.api.attempts import encode_cursor
from quizzes.models import Attempt, Option, Quiz
from quizzes.services.attempts import start_attempt
from tests.api.conftest import make_role_user
from tests.builders import SEED_LIKE, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(db) -> Quiz:
    return make_quiz(title="Права")


def test_an_attempt_in_the_list_says_who_how_and_where(api, quiz):
    attempt = finish(quiz, {2: ["Он адаптирует learning rate для каждого параметра"]})
    response = api.get("/attempts")

    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    (listed,) = body["attempts"]
    assert listed == {
        "id": attempt.pk,
        "invite_id": None,
        "quiz": quiz.slug,
        "candidate_name": "Анна",
        "candidate_email": "anna@example.com",
        "state": "submitted",
        "time_ran_out": False,
        "started_at": listed["started_at"],
        "submitted_at": listed["submitted_at"],
        "score": "1.0000",
        "max_score": "3.0000",
        "percent": pytest.approx(100 / 3),
        "hiring_status": "new",
        "staff_url": f"http://testserver/review/attempt/{attempt.public_id}/",
    }
    started = attempt.started_at.astimezone(UTC).isoformat(timespec="milliseconds")
    assert listed["started_at"] == started.replace("+00:00", "Z")


def test_filters_by_quiz_state_and_submission_time(api, quiz):
    other = make_quiz(title="Другой", questions=SEED_LIKE[:1])
    early = finish(quiz, {}, email="early@example.com")
    Attempt.objects.filter(pk=early.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    late = finish(quiz, {}, email="late@example.com")
    elsewhere = finish(other, {}, email="other@example.com")
    running = start_attempt(quiz=quiz, candidate_name="Идёт", candidate_email="run@example.com")

    def ids(**params) -> list[int]:
        response = api.get("/attempts", params)
        assert response.status_code == 200, response.content
        return [attempt["id"] for attempt in response.json()["attempts"]]

    assert ids() == [early.pk, late.pk, elsewhere.pk, running.pk]
    assert ids(quiz=quiz.slug) == [early.pk, late.pk, running.pk]
    assert ids(quiz=other.slug) == [elsewhere.pk]
    assert ids(quiz="no-such-quiz") == []
    assert ids(state="in_progress") == [running.pk]
    assert ids(state="submitted", quiz=quiz.slug) == [early.pk, late.pk]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(submitted_after=since) == [late.pk, elsewhere.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"state": "lost"}, "state"),
        ({"submitted_after": "yesterday"}, "submitted_after"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "YTE6LTE"}, "cursor"),  # "a1:-1"
    ],
)
def test_bad_parameters_are_named(api, params, field):
    response = api.get("/attempts", params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_pages_walk_every_attempt_once_while_new_ones_arrive(api, quiz):
    first_batch = [finish(quiz, {}, email=f"a{n}@example.com").pk for n in range(7)]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = api.get("/attempts", params).json()
        seen += [attempt["id"] for attempt in body["attempts"]]
        pages += 1
        if pages == 1:
            # Candidates keep submitting between the ATS's requests.
            arrived = [finish(quiz, {}, email=f"b{n}@example.com").pk for n in range(4)]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 10
    assert seen == first_batch + arrived
    assert len(set(seen)) == len(seen)
    # The cursor is opaque: not the bare id.
    assert encode_cursor(5) != "5" and "5" not in encode_cursor(5)


def test_default_page_is_fifty(api, quiz):
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    Attempt.objects.bulk_create(
        Attempt(
            quiz=quiz,
            revision=attempt.revision,
            candidate_name=f"Копия {n}",
            candidate_email=f"c{n}@example.com",
            layout=attempt.layout,
            state=Attempt.State.SUBMITTED,
        )
        for n in range(60)
    )
    body = api.get("/attempts").json()
    assert len(body["attempts"]) == 50 and body["next_cursor"]
    assert len(api.get("/attempts", {"cursor": body["next_cursor"]}).json()["attempts"]) == 11


def test_detail_gives_each_question_its_points_and_choices_as_presented(api, quiz):
    attempt = finish(
        quiz,
        {1: ["MaxPooling", "Dropout", "ReLU"], 2: ["Он не требует learning rate"]},
    )
    # An author edits the quiz afterwards: the attempt keeps what the candidate saw.
    Option.objects.filter(text="MaxPooling").update(text="Изменено после попытки")

    response = api.get(f"/attempts/{attempt.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == attempt.pk and body["score"] == "1.0000"
    first, second, third = body["questions"]
    assert [q["number"] for q in body["questions"]] == [1, 2, 3]
    assert first["kind"] == "multiple" and first["text"] == SEED_LIKE[0][0]
    assert (first["points"], first["max_points"], first["answered"]) == ("1.0000", "1.00", True)
    chosen = [option["text"] for option in first["options"] if option["chosen"]]
    assert chosen == ["MaxPooling", "Dropout", "ReLU"]
    assert {o["text"]: o["verdict"] for o in first["options"]}["Batch Normalization"] == "partial"
    assert second["points"] == "0.0000" and [
        o["text"] for o in second["options"] if o["chosen"]
    ] == ["Он не требует learning rate"]
    assert third["answered"] is False and third["points"] == "0"
    revision_ids = {o["id"] for q in attempt.revision.content["questions"] for o in q["options"]}
    assert {o["id"] for q in body["questions"] for o in q["options"]} == revision_ids


def test_detail_shows_a_recruiters_override(api, quiz):
    from quizzes.services.review import override_question_score

    attempt = finish(quiz, {})
    question_id = attempt.revision.content["questions"][0]["id"]
    recruiter = make_role_user("recruiter")
    override_question_score(
        attempt=attempt,
        question_id=question_id,
        points=Decimal("0.5"),
        reason="спорно",
        user=recruiter,
    )
    (first, *_rest) = api.get(f"/attempts/{attempt.pk}").json()["questions"]
    assert first["overridden"] is True and first["points"] == "0.5000"


def _count(api, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


def test_list_queries_do_not_grow_with_the_number_of_attempts(api, quiz):
    api.get("/quizzes")  # the token's first use writes last_used_at
    finish(quiz, {})
    one = _count(api, "/attempts")
    other = make_quiz(title="Второй")
    for n in range(5):
        finish(other if n % 2 else quiz, {1: ["ReLU"]}, email=f"m{n}@example.com")
    assert _count(api, "/attempts") == one


def test_detail_queries_do_not_grow_with_the_number_of_questions(api):
    api.get("/quizzes")
    small = finish(make_quiz(title="Один", questions=SEED_LIKE[:1]), {1: ["ReLU"]})
    large_quiz = make_quiz(title="Много", questions=SEED_LIKE * 4)
    large = finish(large_quiz, {n: [] for n in range(1, 13)}, email="b@example.com")
    assert _count(api, f"/attempts/{small.pk}") == _count(api, f"/attempts/{large.pk}")


def test_quiz_list_queries_do_not_grow_with_the_number_of_quizzes(api, quiz):
    api.get("/quizzes")
    one = _count(api, "/quizzes")
    for n in range(4):
        make_quiz(title=f"Ещё {n}")
    assert _count(api, "/quizzes") == one
    assert len(api.get("/quizzes").json()["quizzes"]) == 5
