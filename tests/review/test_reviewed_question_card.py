"""The reviewed-question card: one include for the candidate's result and the recruiter's page."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.forms import ScoreOverrideForm
from quizzes.models import Attempt, Quiz, ScoreChange
from quizzes.selectors.results import attempt_review
from quizzes.services.attempts import start_attempt, submit_attempt
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

CARD = "quizzes/includes/reviewed_question.html"


def options_of(html: str) -> list[str]:
    return re.findall(r'<li class="reviewed-option.*?</li>', html, re.S)


def explanations_of(html: str) -> list[str]:
    return re.findall(r'<details class="explanation"[^>]*>(.*?)</details>', html, re.S)


@pytest.fixture
def pages(client, start, recruiter):
    """A full-review attempt (question 1 partly right, 2 unanswered, 3 right), both pages."""
    quiz = make_quiz(access=Quiz.Access.PUBLIC, review_after_attempt=Quiz.ReviewPolicy.FULL)
    attempt = start(quiz)
    by_text = {
        option.text: option.id
        for question in quiz.questions.all()
        for option in question.options.all()
    }
    submit_attempt(
        attempt_id=attempt.pk,
        selections={
            quiz.questions.get(position=1).id: [by_text["MaxPooling"], by_text["Слой свертки"]],
            quiz.questions.get(position=3).id: [by_text["Взрыв градиентов"]],
        },
    )
    client.cookies["django_language"] = "en"
    candidate = client.get(reverse("quizzes:result", args=[attempt.public_id]))
    staff = Client()
    staff.force_login(recruiter)
    staff.cookies["django_language"] = "en"
    review = staff.get(reverse("quizzes:review_attempt", args=[attempt.public_id]))
    assert candidate.status_code == review.status_code == 200
    return attempt, candidate, review


def test_both_pages_render_each_question_through_the_one_include(pages):
    attempt, candidate, review = pages
    for response in (candidate, review):
        used = [template.name for template in response.templates]
        assert used.count(CARD) == len(attempt.layout["questions"]) == 3


def test_an_option_has_the_same_markup_on_both_pages(pages):
    _attempt, candidate, review = pages
    mine, theirs = options_of(candidate.content.decode()), options_of(review.content.decode())
    assert len(mine) == len(theirs) == 14
    # Only the word for the chosen options differs: the candidate's choice, seen by a recruiter.
    assert sum("<strong>your choice:</strong>" in option for option in mine) == 3
    assert [option.replace("your choice:", "chosen:") for option in mine] == theirs
    unchosen = next(option for option in mine if 'data-chosen="false"' in option)
    assert unchosen in theirs and "Почему «" in unchosen  # with its feedback
    assert explanations_of(candidate.content.decode()) == explanations_of(review.content.decode())
    assert len(explanations_of(candidate.content.decode())) == 3


def test_the_recruiter_card_adds_anchor_time_and_a_lower_heading(pages):
    attempt, candidate, review = pages
    mine, theirs = candidate.content.decode(), review.content.decode()
    first = attempt.layout["questions"][0]
    assert f'id="q{first}" data-question="{first}"' in theirs and 'id="q' not in mine
    assert theirs.count('class="ms-auto small text-body-secondary question-time"') == 3
    assert "question-time" not in mine
    assert re.search(r'<h2 class="h5[^"]*" id="rq-1">', mine)
    assert re.search(r'<h3 class="h5[^"]*" id="rq-1">', theirs)
    assert theirs.count('class="override"') == 3 and 'class="override"' not in mine


def test_an_override_of_an_attempt_still_in_progress_says_why_it_failed(recruiter, quiz):
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    staff = Client()
    staff.force_login(recruiter)
    response = staff.post(
        reverse("quizzes:review_override", args=[attempt.public_id]),
        {"question_id": quiz.questions.first().id, "points": "1", "reason": "устно"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="override"' not in html  # no form on an attempt still in progress
    alert = re.search(r'<div class="alert alert-danger" role="alert">(.*?)</div>', html, re.S)
    assert "still in progress" in alert.group(1)
    assert Attempt.objects.get(pk=attempt.pk).score is None


def test_override_inputs_are_the_forms_with_the_questions_maximum(recruiter_client, quiz):
    quiz.questions.filter(position=2).update(points=Decimal("2.5"))
    attempt = finish(quiz, {1: ["MaxPooling"]})
    html = recruiter_client.get(reverse("quizzes:review_attempt", args=[attempt.public_id]))
    html = html.content.decode()
    for question in attempt_review(attempt):
        form = ScoreOverrideForm(
            initial={"question_id": question.question_id, "points": question.points},
            max_points=question.max_points,
            auto_id=f"id_q{question.question_id}_%s",
        )
        card = html[html.index(f'id="q{question.question_id}"') :]
        card = card[: card.index("</section>")]
        assert str(form["points"]) in card and str(form["reason"]) in card
        points = re.search(r'<input type="number" name="points"[^>]*>', card).group(0)
        assert f'max="{question.max_points}"' in points
        assert 'min="0"' in points and 'step="0.0001"' in points and " required" in points
    assert 'max="2.50"' in html and "(0–2.5)" in html
    assert html.count('maxlength="2000"') == 3


def test_points_over_the_maximum_are_refused_by_the_form_next_to_the_field(recruiter_client, quiz):
    quiz.questions.filter(position=2).update(points=Decimal("2.5"))
    attempt = finish(quiz, {})
    question = quiz.questions.get(position=2)
    response = recruiter_client.post(
        reverse("quizzes:review_override", args=[attempt.public_id]),
        {"question_id": question.id, "points": "2.6", "reason": "устно"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    card = html[html.index(f'id="q{question.id}"') :]
    card = card[: card.index("</section>")]
    assert '<details class="override" open>' in card
    points = re.search(r'<input type="number" name="points"[^>]*>', card).group(0)
    assert 'value="2.6"' in points and 'max="2.50"' in points and 'aria-invalid="true"' in points
    described_by = re.search(r'aria-describedby="([^"]+)"', points).group(1)
    error = re.search(rf'id="{described_by}">(.*?)</div></div>', card, re.S).group(1)
    assert "less than or equal to 2.50" in error
    assert not ScoreChange.objects.exists()
