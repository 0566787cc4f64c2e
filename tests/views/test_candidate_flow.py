"""The candidate path: list, start, answer, submit, result."""

import re
import uuid

import pytest
from django.urls import reverse

from quizzes.models import Answer, Attempt
from tests.builders import ALL_RIGHT, ALL_WRONG, answer_field, answer_post, make_quiz

pytestmark = pytest.mark.django_db


def test_home_lists_published_public_quizzes_with_question_counts(client):
    make_quiz(access="public", title="Опубликованный тест")
    make_quiz(access="public", title="Черновик", published=False)
    make_quiz(title="По приглашению", access="invite")

    response = client.get("/")

    html = response.content.decode()
    assert "Опубликованный тест" in html
    assert "Черновик" not in html
    assert "По приглашению" not in html
    assert "3 вопроса" in html  # Russian by default, with Russian plural forms


def test_home_speaks_english_on_request(client):
    make_quiz(access="public", title="Quiz")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Available tests" in html
    assert "3 questions" in html


def test_quiz_page_shows_title_description_and_count(client):
    quiz = make_quiz(access="public", title="DL", description="Про **нейросети**")
    html = client.get(quiz.get_absolute_url()).content.decode()
    assert "<h1" in html and "DL" in html
    assert "<strong>нейросети</strong>" in html
    assert 'data-question-count="3"' in html


def test_unknown_or_unpublished_quiz_is_404(client):
    make_quiz(access="public", title="Draft", published=False)
    assert client.get("/quiz/no-such-quiz/").status_code == 404
    assert client.get("/quiz/draft/").status_code == 404


def test_start_requires_name_and_valid_email(client, quiz):
    response = client.post(quiz.get_absolute_url(), {"candidate_name": "", "candidate_email": "x"})
    assert response.status_code == 200
    assert Attempt.objects.count() == 0
    assert "is-invalid" in response.content.decode()


def test_a_start_refused_for_its_form_still_tells_the_question_count(client, quiz):
    response = client.post(quiz.get_absolute_url(), {"candidate_name": "", "candidate_email": "x"})
    assert 'data-question-count="3"' in response.content.decode()


def test_attempt_page_shows_every_option_as_labelled_input(client, quiz, start):
    attempt = start(quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()

    assert html.count('type="checkbox"') == 6
    assert html.count('type="radio"') == 8
    for option in ["MaxPooling", "Batch Normalization", "Взрыв градиентов", "Переобучение"]:
        label = re.search(r'<label[^>]*for="([^"]+)"[^>]*>\s*' + re.escape(option), html)
        assert label, option
        assert f'id="{label.group(1)}"' in html
    assert html.count("<fieldset") == 3
    assert html.count("<legend") == 3


def test_attempt_page_reveals_no_verdicts_feedback_or_explanations(client, quiz, start):
    attempt = start(quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()

    for secret in [
        "correct",
        "incorrect",
        "partial",
        "verdict",
        "✅",
        "❌",
        "⚠",
        "Объяснение",
        "Почему",
    ]:
        assert secret not in html, secret
    assert "<!--" not in html


def test_attempt_of_another_browser_is_404(client, quiz, start):
    attempt = start(quiz)
    client.logout()
    client.cookies.clear()
    assert client.get(attempt.get_absolute_url()).status_code == 404


def test_unknown_attempt_is_404(client):
    assert client.get(f"/attempt/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/attempt/{uuid.uuid4()}/result/").status_code == 404


def test_wrong_methods_are_405(client, quiz, start):
    assert client.post("/").status_code == 405
    attempt = start(quiz)
    assert client.delete(attempt.get_absolute_url()).status_code == 405
    assert client.post(reverse("quizzes:result", args=[attempt.public_id])).status_code == 405


def test_answering_everything_right_scores_three_of_three(client, quiz, start):
    attempt = start(quiz)
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True)

    html = response.content.decode()
    assert 'data-score="3"' in html and 'data-max-score="3"' in html
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.score == 3


def test_answering_everything_wrong_scores_zero(client, quiz, start):
    attempt = start(quiz)
    html = client.post(
        attempt.get_absolute_url(), answer_post(attempt, ALL_WRONG), follow=True
    ).content.decode()
    assert 'data-score="0"' in html and 'data-max-score="3"' in html


def test_result_shows_choices_verdicts_feedback_and_rendered_explanations(client, quiz, start):
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    html = client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()

    assert html.count('data-verdict="correct"') == 5
    assert html.count('data-verdict="incorrect"') == 8
    assert html.count('data-verdict="partial"') == 1
    assert html.count('data-chosen="true"') == 5
    assert "Почему «Dropout»: <em>correct</em>" in html
    assert "Объяснение <strong>1</strong>" in html
    assert html.count('data-points="1"') == 3


def test_an_unanswered_question_is_stored_as_nothing_and_scores_zero(client, quiz, start):
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, {2: ALL_RIGHT[2]}))
    attempt.refresh_from_db()
    assert attempt.score == 1
    stored = {a.question_id: a.selected for a in Answer.objects.filter(attempt=attempt)}
    assert sorted(len(v) for v in stored.values()) == [0, 0, 1]


def test_option_of_another_question_is_rejected_with_400_and_stores_nothing(client, quiz, start):
    attempt = start(quiz)
    q1 = quiz.questions.get(position=1)
    foreign_option = quiz.questions.get(position=2).options.first()
    response = client.post(
        attempt.get_absolute_url(),
        {answer_field(attempt, q1.id): [attempt.tokens.option(foreign_option.id)]},
    )
    assert response.status_code == 400
    assert Answer.objects.filter(attempt=attempt).count() == 0
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


@pytest.mark.parametrize("value", ["abc", "1.5", ""])
def test_an_option_value_that_is_no_token_of_the_question_is_400(client, quiz, start, value):
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    response = client.post(
        attempt.get_absolute_url(), {answer_field(attempt, q2.id): value or "  "}
    )
    assert response.status_code == 400


def test_question_not_in_the_attempt_is_400(client, quiz, start):
    other = make_quiz(access="public", title="Other")
    attempt = start(quiz)
    foreign = other.questions.get(position=2)
    response = client.post(
        attempt.get_absolute_url(),
        {answer_field(attempt, foreign.id): attempt.tokens.option(foreign.options.first().id)},
    )
    assert response.status_code == 400


def test_submitting_twice_keeps_the_first_grading(client, quiz, start):
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_WRONG), follow=True)

    attempt.refresh_from_db()
    assert attempt.score == 3
    assert 'data-score="3"' in response.content.decode()
    assert "Эта попытка уже отправлена; вот её результат." in response.content.decode()


def test_result_before_submit_redirects_to_the_attempt(client, quiz, start):
    attempt = start(quiz)
    response = client.get(reverse("quizzes:result", args=[attempt.public_id]))
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()
