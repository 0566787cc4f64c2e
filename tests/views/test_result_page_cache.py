"""The result page's per-question fragments: shared only where the output is identical."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Quiz
from quizzes.services.attempts import submit_attempt
from quizzes.services.review import override_question_score
from tests.builders import make_large_quiz

pytestmark = pytest.mark.django_db


def result(client: Client, attempt: Attempt) -> str:
    return client.get(
        reverse("quizzes:result", kwargs={"public_id": attempt.public_id})
    ).content.decode()


def reviewed(html: str) -> str:
    return html[html.index("<section") : html.rindex("</section>")]


def points_shown(html: str) -> list[str]:
    return re.findall(r'class="badge [^"]*question-points"\s+data-points="([^"]+)"', html)


def test_result_fragments_follow_each_candidates_answers_and_overrides(client, start):
    quiz = make_large_quiz(
        questions=3, options=3, access="public", review_after_attempt=Quiz.ReviewPolicy.FULL
    )
    first = start(quiz, email="a@example.com")
    other = Client()
    other.post(f"/quiz/{quiz.slug}/", {"candidate_name": "B", "candidate_email": "b@example.com"})
    second = Attempt.objects.get(candidate_email="b@example.com")
    questions = first.revision.content["questions"]
    right = {q["id"]: [q["options"][0]["id"]] for q in questions}
    wrong = {q["id"]: [q["options"][2]["id"]] for q in questions}
    submit_attempt(attempt_id=first.pk, selections=right)
    submit_attempt(attempt_id=second.pk, selections=wrong)

    first_html, second_html = result(client, first), result(other, second)
    reload = result(client, first)  # served from the cache
    assert reviewed(reload) == reviewed(first_html) and reviewed(first_html)
    assert first_html.count('data-chosen="true"') == second_html.count('data-chosen="true"') == 3
    assert points_shown(first_html) == ["1", "1", "1"]
    assert points_shown(second_html) == ["0", "0", "0"]
    chosen = re.findall(r'data-verdict="(\w+)" data-chosen="true"', first_html)
    assert chosen == ["correct"] * 3
    assert re.findall(r'data-verdict="(\w+)" data-chosen="true"', second_html) == ["incorrect"] * 3

    # An override changes what the question shows, so its fragment is rendered anew.
    recruiter = get_user_model().objects.create_superuser("r", "r@example.com", "pw")
    override_question_score(
        attempt=second,
        question_id=questions[1]["id"],
        points=Decimal("0.5"),
        reason="Partly right",
        user=recruiter,
    )
    assert points_shown(result(other, second)) == ["0", "0.5", "0"]
    # English and Russian fragments are cached apart.
    other.cookies["django_language"] = "en"
    english = result(other, second)
    other.cookies["django_language"] = "ru"
    assert english != result(other, second)


def test_a_policy_that_hides_verdicts_never_gets_a_fragment_cached_with_them(client, start):
    quiz = make_large_quiz(
        questions=2, options=3, access="public", review_after_attempt=Quiz.ReviewPolicy.FULL
    )
    attempt = start(quiz)
    questions = attempt.revision.content["questions"]
    submit_attempt(
        attempt_id=attempt.pk, selections={q["id"]: [q["options"][0]["id"]] for q in questions}
    )
    full = result(client, attempt)
    assert full.count("data-verdict=") == 6

    Quiz.objects.filter(pk=quiz.pk).update(review_after_attempt=Quiz.ReviewPolicy.CORRECTNESS)
    correctness = result(client, attempt)
    assert points_shown(correctness) == points_shown(full) == ["1", "1"]
    assert "data-verdict=" not in correctness and "reviewed-option" not in correctness

    Quiz.objects.filter(pk=quiz.pk).update(
        access="public", review_after_attempt=Quiz.ReviewPolicy.FULL
    )
    assert reviewed(result(client, attempt)) == reviewed(full)
