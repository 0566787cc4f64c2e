"""The printable report of one attempt: what it shows, what it leaves out, its queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Answer
from tests.builders import make_large_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db


def report_url(attempt) -> str:
    return reverse("quizzes:review_report", args=[attempt.public_id])


def test_report_shows_candidate_quiz_score_points_choices_verdicts_and_time(recruiter_client, quiz):
    attempt = finish(quiz, {1: ["MaxPooling", "Batch Normalization"], 3: ["Взрыв градиентов"]})
    q3 = quiz.questions.get(position=3)
    Answer.objects.filter(attempt=attempt, question_id=q3.id).update(time_spent=42)

    html = recruiter_client.get(report_url(attempt)).content.decode()

    assert "Анна" in html and "anna@example.com" in html and "Тест" in html
    assert 'data-score="1.33" data-max-score="3"' in html and "(44%)" in html
    assert html.count('class="report-question"') == 3
    q1_id = quiz.questions.get(position=1).id
    q1 = re.search(rf'data-question="{q1_id}"(.*?)</article>', html, re.S)
    assert 'data-points="0.33"' in q1.group(1)
    chosen = re.findall(r'data-verdict="(\w+)" data-chosen="true"', q1.group(1))
    assert sorted(chosen) == ["correct", "partial"]
    assert 'class="verdict"' in q1.group(1)  # the verdict icons
    assert 'data-seconds="42"' in html and "0:42" in html
    assert "Ответ не дан." in html  # question 2


def test_report_has_print_styles_and_no_staff_chrome(recruiter_client, quiz):
    attempt = finish(quiz, {})
    html = recruiter_client.get(report_url(attempt)).content.decode()
    assert "quizzes/report" in html and "@media print" not in html  # styles in a file
    assert "navbar" not in html and f'href="{reverse("quizzes:review_attempts")}"' not in html
    assert "<form" not in html and "csrfmiddlewaretoken" not in html
    assert "Заметки" not in html and "Сигналы" not in html
    # Only the toolbar (hidden on paper) links back to the staff page.
    assert re.search(r'class="report-toolbar d-print-none', html)


def test_report_query_count_does_not_grow_with_questions(recruiter_client):
    small = make_large_quiz(questions=2, title="Малый")
    large = make_large_quiz(questions=40, title="Большой")
    small_attempt = finish(small, {1: ["Option 1.1"]})
    large_attempt = finish(large, {n: [f"Option {n}.1"] for n in range(1, 41)}, email="l@x.org")
    recruiter_client.get(report_url(small_attempt))
    with CaptureQueriesContext(connection) as few:
        assert recruiter_client.get(report_url(small_attempt)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = recruiter_client.get(report_url(large_attempt))
    assert response.content.decode().count('class="report-question"') == 40
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_attempt_page_links_to_its_report(recruiter_client, quiz):
    attempt = finish(quiz, {})
    html = recruiter_client.get(reverse("quizzes:review_attempt", args=[attempt.public_id]))
    assert f'href="{report_url(attempt)}"' in html.content.decode()


def test_an_unknown_attempt_has_no_report(recruiter_client):
    url = reverse("quizzes:review_report", args=["00000000-0000-4000-8000-000000000000"])
    assert recruiter_client.get(url).status_code == 404
