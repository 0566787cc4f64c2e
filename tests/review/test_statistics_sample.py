"""Statistics respect sample size, and are one click away from the attempts list and the admin."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from quizzes import statistics
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

QUESTIONS = [
    (f"Вопрос {n}", "single", [(f"верно {n}", "correct"), (f"неверно {n}", "incorrect")])
    for n in range(1, 4)
]


def cohort(size: int):
    """`size` attempts; question 3 is answered right by everyone (too easy, no discrimination)."""
    quiz = make_quiz(questions=QUESTIONS, title="Выборка")
    for n in range(size):
        choices = {
            1: ["верно 1" if n % 2 else "неверно 1"],
            2: ["верно 2" if n % 3 else "неверно 2"],
            3: ["верно 3"],
        }
        finish(quiz, choices, name=f"К{n}", email=f"k{n}@example.com")
    return quiz


def page(client, quiz, language="ru") -> str:
    url = reverse("quizzes:review_statistics", args=[quiz.slug])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_29_attempts_are_not_yet_enough_by_default(recruiter_client):
    html = page(recruiter_client, cohort(29))
    assert 'data-attempts-needed="1"' in html
    assert "только начиная с 30 завершённых попыток" in visible(html)
    assert "Сейчас завершённых попыток 29, нужно ещё 1" in visible(html)
    assert re.search(r'data-stat="alpha"><span class="not-meaningful">ещё не показательно<', html)
    assert html.count('<td class="text-end not-meaningful" colspan="2">') == 3
    assert 'class="badge text-bg-warning me-1 flag"' not in html
    assert "table-warning" not in html


def test_30_attempts_show_discrimination_alpha_and_flags(recruiter_client):
    html = page(recruiter_client, cohort(30))
    assert "data-attempts-needed" not in html and "not-meaningful" not in html
    assert re.search(r'data-stat="alpha">-?\d+[.,]\d\d<', html)
    flags = re.findall(r'class="badge text-bg-warning me-1 flag">([^<]+)<', html)
    assert "слишком лёгкий" in flags or "too easy" in flags
    assert len(flags) >= 2


def test_the_minimum_is_a_setting_and_the_notice_reads_in_english(recruiter_client, settings):
    settings.QUIZ_STATISTICS_MIN_ATTEMPTS = 5
    quiz = cohort(4)
    html = visible(page(recruiter_client, quiz, "en"))
    assert (
        "Discrimination, efficiency and Cronbach's alpha mean something only from 5 finished "
        "attempts on: with fewer they reflect chance more than the questions. There are 4 so "
        "far, 1 more are needed" in html
    )
    settings.QUIZ_STATISTICS_MIN_ATTEMPTS = 4
    assert "not yet meaningful" not in page(recruiter_client, quiz, "en")


def test_below_the_minimum_no_question_is_flagged_and_the_numbers_are_kept():
    questions = [
        statistics.QuestionInfo(id=1, position=1, text="q1", max_mark=1.0),
        statistics.QuestionInfo(id=2, position=2, text="q2", max_mark=1.0),
    ]
    marks = [{1.0: 2}, {1.0: 1, 0.0: 1}]
    report = statistics.quiz_statistics_from_tables(
        questions,
        totals=[2.0, 1.0],
        mark_counts=[Counter(m) for m in marks],
        rest_counts=[Counter({1.0: 1, 0.0: 1}), Counter({1.0: 2})],
        selection_counts=[Counter({(): 2}), Counter({(): 2})],
    )
    assert report.questions[0].flags  # too easy, and no variance to discriminate with
    small = statistics.with_minimum_sample(report, 3)
    assert small.sample_too_small and small.attempts_needed == 1 and small.min_attempts == 3
    assert all(question.flags == () for question in small.questions)
    assert small.questions[1].facility == report.questions[1].facility
    enough = statistics.with_minimum_sample(report, 2)
    assert not enough.sample_too_small and enough.attempts_needed == 0
    assert enough.questions == report.questions


def test_the_attempts_list_links_each_quiz_to_its_statistics_without_a_filter(
    recruiter_client, quiz
):
    other = make_quiz(title="Другой тест")
    finish(quiz, {})
    finish(other, {}, email="o@example.com")
    html = recruiter_client.get(reverse("quizzes:review_attempts")).content.decode()
    links = set(re.findall(r'class="quiz-statistics" href="([^"]+)"', html))
    assert links == {
        reverse("quizzes:review_statistics", args=[quiz.slug]),
        reverse("quizzes:review_statistics", args=[other.slug]),
    }


@pytest.mark.parametrize(("role", "linked"), [("recruiter", True), ("author", False)])
def test_the_quiz_admin_links_to_statistics_for_those_who_may_read_them(
    client, make_user, quiz, role, linked
):
    user = make_user(role, group={"recruiter": "Recruiters", "author": "Authors"}[role])
    client.force_login(user)
    link = (
        f'href="{reverse("quizzes:review_statistics", args=[quiz.slug])}" class="quiz-statistics"'
    )
    change = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    changelist = client.get(reverse("admin:quizzes_quiz_changelist"))
    assert change.status_code == changelist.status_code == 200
    assert (link in change.content.decode()) is linked
    assert (link in changelist.content.decode()) is linked


def test_a_superuser_has_the_link_on_the_quiz_page(admin_client, quiz):
    html = admin_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert reverse("quizzes:review_statistics", args=[quiz.slug]) in html
    assert (
        admin_client.get(reverse("quizzes:review_statistics", args=[quiz.slug])).status_code == 200
    )
