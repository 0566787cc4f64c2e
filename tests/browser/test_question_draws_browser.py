"""Two candidates of one quiz draw different questions in the browser; both are graded right."""

import re

import pytest

from quizzes.models import Attempt, Question
from tests.banks import draw_section, make_bank
from tests.browser.steps import option, start_public, submit_answers
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drawn_numbers(email: str) -> list[int]:
    attempt = Attempt.objects.select_related("revision").get(candidate_email=email)
    return sorted(
        int(question["text"].split()[-1]) for question in attempt.revision.content["questions"]
    )


def test_two_candidates_get_different_questions_and_both_are_graded_right(
    browser, live_server, screenshot
):
    quiz = make_quiz(
        questions=[], title="Случайный тест", access="public", review_after_attempt="full"
    )
    bank = make_bank("Банк", 4)
    draw_section(quiz, bank, 2, order=0, title="Из банка")
    pages = {}
    for name, email in (("Анна", "anna@example.com"), ("Борис", "boris@example.com")):
        page = browser.new_context(locale="ru-RU").new_page()
        start_public(page, live_server, quiz, name=name, email=email)
        pages[email] = page
        # The first candidate's questions leave the rotation: the second must draw the rest.
        Question.objects.filter(bank=bank, position__in=drawn_numbers(email)).update(retired=True)
    anna, boris = drawn_numbers("anna@example.com"), drawn_numbers("boris@example.com")
    assert len(anna) == len(boris) == 2 and set(anna).isdisjoint(boris)

    for email, numbers in (("anna@example.com", anna), ("boris@example.com", boris)):
        page = pages[email]
        shown = sorted(int(n) for n in re.findall(r"Банк (\d)", page.locator("main").inner_text()))
        assert shown == numbers
        for n in numbers:
            option(page, f"верно {n}").check()
        screenshot(page, f"attempt-{email.split('@')[0]}")
        submit_answers(page)
        result = page.locator("main").inner_text()
        assert sorted(int(n) for n in re.findall(r"Банк (\d)", result)) == numbers
        attempt = Attempt.objects.get(candidate_email=email)
        assert (attempt.state, attempt.score, attempt.max_score) == ("submitted", 2, 2)
        page.context.close()
