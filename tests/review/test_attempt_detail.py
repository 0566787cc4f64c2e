"""One attempt as the candidate saw it, with standing, notes, rating and overrides."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes.models import Answer, Attempt, ScoreChange
from quizzes.services.attempts import start_attempt
from quizzes.services.regrade import regrade_quiz_attempts
from quizzes.services.review import ReviewError, add_attempt_note, override_question_score
from tests.builders import ALL_RIGHT, ALL_WRONG, make_large_quiz, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db


def detail(client, attempt) -> str:
    response = client.get(reverse("quizzes:review_attempt", args=[attempt.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_shows_the_stored_questions_choices_verdicts_and_points(recruiter_client, quiz):
    attempt = finish(quiz, {1: ["MaxPooling", "Полносвязный слой"], 3: ["Взрыв градиентов"]})
    quiz.questions.filter(position=3).update(text="Отредактировано после попытки")
    html = detail(recruiter_client, attempt)
    assert "Loss колеблется" in html and "Отредактировано" not in html
    assert re.search(r'data-verdict="incorrect" data-chosen="true"', html)
    assert 'data-points="1" data-max-points="1"' in html  # question 3
    assert 'data-points="0" data-max-points="1"' in html  # question 2, unanswered
    assert "anna@example.com" in html
    assert "Signals, not proof" in html or "Сигналы, а не доказательства" in html


def test_shows_times_and_integrity_counters(recruiter_client, quiz):
    attempt = finish(quiz, ALL_RIGHT, minutes=12)
    Attempt.objects.filter(pk=attempt.pk).update(focus_lost_count=3, paste_count=2)
    question = attempt.revision.content["questions"][1]["id"]
    Answer.objects.filter(attempt=attempt, question_id=question).update(time_spent=75)
    html = detail(recruiter_client, attempt)
    assert re.search(r'data-signal="focus">[^<]*<strong>3</strong>', html)
    assert re.search(r'data-signal="paste">[^<]*<strong>2</strong>', html)
    assert 'data-seconds="75"' in html and "1:15" in html
    assert "12:0" in html  # the duration, 12 minutes and a few seconds


def test_rank_and_percentile_among_finished_attempts(recruiter_client, quiz):
    best = finish(quiz, ALL_RIGHT, name="A")
    finish(quiz, ALL_RIGHT, name="B")
    middle = finish(quiz, {2: ALL_RIGHT[2]}, name="C")
    worst = finish(quiz, ALL_WRONG, name="D")
    start_attempt(quiz=quiz, candidate_name="E", candidate_email="e@x.org")
    assert 'data-rank="1" data-total="4" data-percentile="50.0"' in detail(recruiter_client, best)
    assert 'data-rank="3" data-total="4" data-percentile="25.0"' in detail(recruiter_client, middle)
    assert 'data-rank="4" data-total="4" data-percentile="0.0"' in detail(recruiter_client, worst)


def test_rank_compares_percentages_across_revisions_with_other_maxima(quiz):
    from quizzes.selectors.review import attempt_standing

    small = finish(quiz, ALL_RIGHT)  # 3 of 3
    quiz.questions.update(points=Decimal(2))
    big = finish(quiz, {1: ALL_RIGHT[1], 2: ALL_RIGHT[2]})  # 4 of 6
    assert big.max_score == 6
    assert attempt_standing(small).rank == 1 and attempt_standing(big).rank == 2


def test_notes_and_rating_are_saved_and_shown(recruiter_client, recruiter, quiz):
    attempt = finish(quiz, ALL_RIGHT)
    url = reverse("quizzes:review_note", args=[attempt.public_id])
    response = recruiter_client.post(url, {"text": "Сильный <b>кандидат</b>"})
    assert response.status_code == 302
    recruiter_client.post(reverse("quizzes:review_rate", args=[attempt.public_id]), {"rating": 5})
    html = detail(recruiter_client, attempt)
    assert "Сильный &lt;b&gt;кандидат&lt;/b&gt;" in html and "rita" in html
    assert '<option value="5" selected>' in html
    assert recruiter_client.post(url, {"text": "   "}).status_code == 400
    rate = reverse("quizzes:review_rate", args=[attempt.public_id])
    assert recruiter_client.post(rate, {"rating": "9"}).status_code == 400
    attempt.refresh_from_db()
    assert attempt.rating == 5 and attempt.notes.count() == 1


def test_detail_query_count_does_not_grow_with_questions(
    recruiter_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = finish(make_quiz(questions=make_quiz_spec(1), title="Один"), {})
    add_attempt_note(attempt=small, author=None, text="n")
    detail(recruiter_client, small)
    with CaptureQueriesContext(connection) as one:
        detail(recruiter_client, small)
    big_quiz = make_large_quiz(questions=40, title="Сорок")
    big = finish(big_quiz, {n: [f"Option {n}.1"] for n in range(1, 41)})
    add_attempt_note(attempt=big, author=None, text="n")
    qid = big.revision.content["questions"][0]["id"]
    override_question_score(attempt=big, question_id=qid, points=0, reason="r", user=None)
    with django_assert_num_queries(len(one.captured_queries)):
        html = detail(recruiter_client, big)
    assert html.count('class="card mb-3 reviewed-question"') == 40


def make_quiz_spec(n):
    return [(f"Q{k}", "single", [("yes", "correct"), ("no", "incorrect")]) for k in range(n)]


def test_override_changes_the_score_and_lists_who_when_old_new(recruiter_client, quiz):
    attempt = finish(quiz, {1: ["MaxPooling"], 2: ALL_RIGHT[2]})
    before = attempt.score
    question = quiz.questions.get(position=1)
    response = recruiter_client.post(
        reverse("quizzes:review_override", args=[attempt.public_id]),
        {"question_id": question.id, "points": "1", "reason": "Ответ засчитан на интервью"},
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 2 and before < 2
    change = ScoreChange.objects.get(attempt=attempt)
    assert (change.kind, change.old_score, change.new_score) == ("override", before, 2)
    assert change.changed_by.username == "rita" and change.question_id == question.id
    html = detail(recruiter_client, attempt)
    assert re.search(r'data-old="[0-9.]+" data-new="2"', html)
    assert "Ответ засчитан на интервью" in html and "rita" in html
    assert attempt.answers.get(question_id=question.id).override_points == 1


def test_override_needs_a_reason_and_points_within_range(recruiter_client, quiz):
    attempt = finish(quiz, ALL_WRONG)
    url = reverse("quizzes:review_override", args=[attempt.public_id])
    qid = quiz.questions.get(position=2).id
    for data in (
        {"question_id": qid, "points": "1", "reason": ""},
        {"question_id": qid, "points": "1", "reason": "   "},
        {"question_id": qid, "points": "1.5", "reason": "много"},
        {"question_id": qid, "points": "-1", "reason": "мало"},
        {"question_id": 10**9, "points": "0", "reason": "чужой вопрос"},
        # Digits that str.isdigit() accepts and int() refuses, and one beyond any id.
        {"question_id": "²", "points": "0", "reason": "не число"},
        {"question_id": "9" * 40, "points": "0", "reason": "огромный"},
    ):
        response = recruiter_client.post(url, data)
        assert response.status_code == 400, data
        assert 'role="alert"' in response.content.decode() or "text-danger" in (
            response.content.decode()
        )
    attempt.refresh_from_db()
    assert attempt.score == 0 and not ScoreChange.objects.exists()


def test_override_of_an_unanswered_question_and_then_a_regrade_keep_it(quiz, recruiter):
    attempt = finish(quiz, {})
    qid = quiz.questions.get(position=3).id
    override_question_score(
        attempt=attempt, question_id=qid, points=Decimal("0.5"), reason="устно", user=recruiter
    )
    attempt.refresh_from_db()
    assert attempt.score == Decimal("0.5")
    quiz.questions.get(position=1).options.filter(text="Batch Normalization").update(
        verdict="correct"
    )
    regrade_quiz_attempts(quiz=quiz, dry_run=False, user=recruiter)
    attempt.refresh_from_db()
    assert attempt.score == Decimal("0.5")


def test_an_in_progress_attempt_cannot_be_overridden(quiz, recruiter):
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    with pytest.raises(ReviewError):
        override_question_score(
            attempt=attempt,
            question_id=quiz.questions.first().id,
            points=Decimal(0),
            reason="r",
            user=recruiter,
        )
