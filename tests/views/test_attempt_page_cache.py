"""The attempt page's cached question blocks: shared content, never shared choices."""

import re

import pytest
from django.test import Client

from quizzes.services.attempts import save_answers
from tests.builders import answer_field, make_large_quiz

pytestmark = pytest.mark.django_db


def option_ids_by_token(attempt) -> dict[str, int]:
    return {
        attempt.tokens.option(option["id"]): option["id"]
        for question in attempt.revision.content["questions"]
        for option in question["options"]
    }


def checked_values(html: str, attempt) -> set[int]:
    """The option ids the page shows as checked, mapped back from the attempt's tokens."""
    by_token = option_ids_by_token(attempt)
    return {
        by_token[v]
        for v in re.findall(r'value="(\w+)" class="form-check-input" [^>]*checked', html)
    }


def option_order(html: str, attempt, question_id: int) -> list[int]:
    by_token = option_ids_by_token(attempt)
    name = answer_field(attempt, question_id)
    return [by_token[v] for v in re.findall(rf'name="{name}" value="(\w+)"', html)]


def test_two_candidates_see_only_their_own_choices(client, start):
    quiz = make_large_quiz(access="public", questions=4, options=3)
    first = start(quiz)
    other_browser = Client()
    second_start = other_browser.post(
        f"/quiz/{quiz.slug}/", {"candidate_name": "B", "candidate_email": "b@example.com"}
    )
    questions = first.revision.content["questions"]
    second = first.__class__.objects.get(candidate_email="b@example.com")
    assert second_start["Location"] == second.get_absolute_url()
    mine = {q["id"]: [q["options"][0]["id"]] for q in questions}
    theirs = {q["id"]: [q["options"][2]["id"]] for q in questions[:2]}
    save_answers(attempt_id=first.pk, selections=mine)
    save_answers(attempt_id=second.pk, selections=theirs)

    # Both render the same cached blocks; each page marks only its own answers.
    first_html = client.get(first.get_absolute_url()).content.decode()
    second_html = other_browser.get(second.get_absolute_url()).content.decode()
    assert checked_values(first_html, first) == {ids[0] for ids in mine.values()}
    assert checked_values(second_html, second) == {ids[0] for ids in theirs.values()}
    # A changed answer shows on the next load: choices are never cached.
    save_answers(attempt_id=first.pk, selections={questions[0]["id"]: []})
    again = client.get(first.get_absolute_url()).content.decode()
    assert checked_values(again, first) == {ids[0] for ids in list(mine.values())[1:]}
    # No verdicts or feedback on the attempt page.
    assert "verdict" not in again and "correct" not in again.lower().replace("incorrect", "")


def test_each_attempt_keeps_its_own_option_order_and_language(client, start):
    # Six attempts from one browser: attempts are not limited here.
    quiz = make_large_quiz(
        access="public", questions=2, options=5, shuffle_options=True, attempts_allowed=None
    )
    attempts = [start(quiz, email=f"c{n}@example.com") for n in range(6)]
    question_id = attempts[0].revision.content["questions"][0]["id"]
    orders = set()
    for attempt in attempts:
        html = client.get(attempt.get_absolute_url()).content.decode()
        drawn = attempt.layout["options"][str(question_id)]
        assert option_order(html, attempt, question_id) == drawn
        orders.add(tuple(drawn))
    assert len(orders) > 1  # 6 draws of 5! orders: the same order six times is 1 in 120^5
    russian = client.get(attempts[0].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content
    client.cookies["django_language"] = "en"
    english = client.get(attempts[0].get_absolute_url()).content.decode()
    assert "Choose one option." in english or "Select all that apply." in english
    assert "Select all that apply." not in russian.decode()
