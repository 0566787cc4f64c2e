"""The statistics page against a small case computed by hand (Moodle's formulas).

Four candidates, four one-point single-choice questions; marks per attempt:

    attempt  q1 q2 q3 q4  total   (q4: everyone right)
    A1        1  1  1  1   4
    A2        1  1  0  1   3
    A3        1  0  0  1   2
    A4        0  0  -  1   1      (A4 leaves q3 unanswered)

q1: facility 3/4; sample SD sqrt(0.75/3) = 0.5; rest = 3,2,1,1 -> r = 0.25/sqrt(0.25*11/12)
    = 0.5222; sorted pairing gives cov_max = 0.25 -> efficiency 1.
q2: facility 0.5; SD sqrt(1/3) = 0.5774; rest = 3,2,2,1 -> r = (1/3)/sqrt(1/3*2/3) = 0.7071.
q3: facility 0.25; SD 0.5; r = 0.5222; options: A 1, B 2, no answer 1.
q4: facility 1 -> "too easy", no variance -> "low discrimination".
Totals 4,3,2,1: mean 2.5, median 2.5, SD sqrt(5/3) = 1.2910;
alpha = 4/3 * (1 - (0.25 + 1/3 + 0.25 + 0) / (5/3)) = 0.6667.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.services.review import override_question_score
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

QUESTIONS = [
    (f"Вопрос {n}", "single", [(f"верно {n}", "correct"), (f"неверно {n}", "incorrect")])
    for n in range(1, 5)
]


def answers(*marks):
    """{position: [option]} from marks per question: 1 right, 0 wrong, None unanswered."""
    return {
        n: [f"верно {n}" if mark else f"неверно {n}"]
        for n, mark in enumerate(marks, start=1)
        if mark is not None
    }


@pytest.fixture
def analysed_quiz():
    quiz = make_quiz(questions=QUESTIONS, title="Статистика")
    finish(quiz, answers(1, 1, 1, 1), name="A1")
    finish(quiz, answers(1, 1, 0, 1), name="A2")
    finish(quiz, answers(1, 0, 0, 1), name="A3")
    finish(quiz, answers(0, 0, None, 1), name="A4")
    return quiz


def row(html, quiz, position):
    qid = quiz.questions.get(position=position).id
    pattern = rf'<tr class="question-stats[^"]*" data-question="{qid}"(.*?)</tr>'
    match = re.search(pattern, html, re.S)
    return match.group(0)


def attr(html_row, name):
    return re.search(rf'data-{name}="([^"]*)"', html_row).group(1)


def test_statistics_match_the_hand_computed_case(recruiter_client, analysed_quiz, settings):
    settings.QUIZ_STATISTICS_MIN_ATTEMPTS = 4  # the hand-computed case is four attempts
    url = reverse("quizzes:review_statistics", args=[analysed_quiz.slug])
    html = recruiter_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    q1, q2, q3, q4 = (row(html, analysed_quiz, n) for n in range(1, 5))
    assert [attr(q1, k) for k in ("facility", "sd", "discrimination", "efficiency")] == [
        "0.7500", "0.5000", "0.5222", "1.0000",
    ]  # fmt: skip
    assert [attr(q2, k) for k in ("facility", "sd", "discrimination")] == [
        "0.5000", "0.5774", "0.7071",
    ]  # fmt: skip
    assert [attr(q3, k) for k in ("facility", "sd", "discrimination")] == [
        "0.2500", "0.5000", "0.5222",
    ]  # fmt: skip
    assert attr(q4, "facility") == "1.0000" and attr(q4, "discrimination") == ""
    assert "too easy" in q4 and "low discrimination" in q4
    assert "flag" not in q1 and "flag" not in q2 and "flag" not in q3
    assert 'data-stat="attempts">4<' in html
    assert re.search(r'data-stat="mean">2[.,]50 / 4[.,]00<', html)
    assert re.search(r'data-stat="median">2[.,]50<', html)
    assert re.search(r'data-stat="sd">1[.,]29<', html)
    assert re.search(r'data-stat="alpha">0[.,]67<', html)


def test_option_counts_include_no_answer(recruiter_client, analysed_quiz):
    url = reverse("quizzes:review_statistics", args=[analysed_quiz.slug])
    html = recruiter_client.get(url).content.decode()
    q3 = analysed_quiz.questions.get(position=3)
    section = html[html.index(f'id="sq{q3.id}"') :]
    section = section[: section.index("</section>")]
    counts = re.findall(r'data-option="([^"]+)" data-count="(\d+)"', section)
    right, wrong = (str(o.id) for o in q3.options.order_by("position"))
    assert counts == [(right, "1"), (wrong, "2"), ("none", "1")]
    verdicts = re.findall(r'>(✅|❌)</span><span class="visually-hidden">([^<]+)</span>', section)
    assert verdicts == [("✅", "верно:"), ("❌", "неверно:")]
    assert f"/question/{q3.id}/options.svg" in section


def test_an_override_changes_the_statistics(recruiter_client, recruiter, analysed_quiz):
    from quizzes.models import Attempt

    url = reverse("quizzes:review_statistics", args=[analysed_quiz.slug])
    recruiter_client.get(url)  # cached now
    q3 = analysed_quiz.questions.get(position=3)
    override_question_score(
        attempt=Attempt.objects.get(candidate_name="A4"),
        question_id=q3.id,
        points=1,
        reason="устно",
        user=recruiter,
    )
    html = recruiter_client.get(url).content.decode()
    assert attr(row(html, analysed_quiz, 3), "facility") == "0.5000"


def test_without_finished_attempts_the_page_says_so(recruiter_client, quiz):
    html = recruiter_client.get(reverse("quizzes:review_statistics", args=[quiz.slug]))
    assert "Завершённых попыток пока нет" in html.content.decode()
    histogram = recruiter_client.get(reverse("quizzes:review_histogram", args=[quiz.slug]))
    assert histogram.status_code == 404


def test_statistics_page_query_count_does_not_grow_with_attempts(
    recruiter_client, django_assert_num_queries
):
    quiz = make_quiz(questions=QUESTIONS, title="Q")
    finish(quiz, answers(1, 0, 1, 1))
    url = reverse("quizzes:review_statistics", args=[quiz.slug])
    recruiter_client.get(url)
    with CaptureQueriesContext(connection) as few:
        recruiter_client.get(url)
    for n in range(30):
        finish(quiz, answers(n % 2, 1, None, 0), name=f"K{n}")
    # The cache was invalidated by the new attempts, so the analysis runs: one query (on
    # PostgreSQL in a savepoint that first turns JIT off).
    analysis = 4 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(len(few.captured_queries) + analysis):
        recruiter_client.get(url)
    with django_assert_num_queries(len(few.captured_queries)):
        recruiter_client.get(url)


def test_charts_are_svg_images_with_escaped_labels(recruiter_client, analysed_quiz):
    response = recruiter_client.get(reverse("quizzes:review_histogram", args=[analysed_quiz.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    assert svg.lstrip().startswith(("<svg", "<?xml")) and "<script" not in svg
    q1 = analysed_quiz.questions.get(position=1)
    url = reverse("quizzes:review_option_chart", args=[analysed_quiz.slug, q1.id])
    response = recruiter_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    missing = reverse("quizzes:review_option_chart", args=[analysed_quiz.slug, 10**9])
    assert recruiter_client.get(missing).status_code == 404
