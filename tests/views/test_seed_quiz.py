"""The real Russian question set, end to end: import the fixture, take it, read the result."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from quizzes.models import Quiz
from tests.builders import answer_post

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "dl-nlp-cv.ru.md"
RIGHT = {
    1: ["MaxPooling", "Dropout", "ReLU"],
    2: ["Он адаптирует learning rate для каждого параметра"],
    3: ["Взрыв градиентов"],
}
WRONG = {1: ["Полносвязный слой"], 2: ["Он не требует learning rate"], 3: ["Переобучение"]}


@pytest.fixture
def seed_quiz():
    call_command("import_quiz", str(FIXTURE), stdout=StringIO())
    return Quiz.objects.get()


def take(client, quiz, choices):
    client.post(quiz.get_absolute_url(), {"candidate_name": "Ира", "candidate_email": "i@x.org"})
    attempt = quiz.attempts.get()
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, choices), follow=True)
    return response.content.decode()


def test_the_fixture_imports_as_a_practice_quiz(seed_quiz):
    # It says so in its own file: `make run` shows it to anyone, explanations included.
    assert seed_quiz.practice and seed_quiz.published
    assert seed_quiz.access == Quiz.Access.PUBLIC
    assert seed_quiz.review_shown() is Quiz.ReviewPolicy.FULL
    assert not seed_quiz.lets_anyone_collect_answers


def test_everything_right_is_three_of_three_with_verdicts_and_explanations(client, seed_quiz):
    html = take(client, seed_quiz, RIGHT)

    assert 'data-score="3" data-max-score="3"' in html
    assert html.count('data-verdict="partial"') == 1  # Batch Normalization
    assert "Чисто функциональный слой." in html  # MaxPooling's own feedback
    assert "<strong>backpropagation</strong>" in html  # the general explanation, rendered
    assert "<code>gamma</code>" in html


def test_everything_wrong_is_zero_of_three(client, seed_quiz):
    html = take(client, seed_quiz, WRONG)
    assert 'data-score="0" data-max-score="3"' in html


def test_the_seed_quiz_is_listed_on_the_home_page(client, seed_quiz):
    html = client.get("/").content.decode()
    assert "Тестовые задания: DL+NLP+CV" in html and "3 вопроса" in html
