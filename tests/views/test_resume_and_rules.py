"""Start pages: the offer to resume this browser's unfinished attempt, and the test's rules."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Invite
from quizzes.views.browser import COOKIE
from tests.builders import ALL_RIGHT, answer_post, make_quiz

pytestmark = pytest.mark.django_db

OFFER = "У вас есть незавершённая попытка"


def test_the_quiz_page_offers_this_browsers_open_attempt_with_its_time_left(client, start):
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=10))
    attempt = start(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=425))

    html = client.get(quiz.get_absolute_url()).content.decode()

    assert OFFER in html
    assert f'class="btn btn-primary resume-link" href="{attempt.get_absolute_url()}"' in html
    assert re.search(r"Осталось времени: 7:0\d\.", html)
    # A new start would only resume it (one attempt allowed): no form asks for a name again.
    assert 'name="candidate_name"' not in html


def test_a_quiz_with_unlimited_attempts_offers_both_resuming_and_a_new_start(client, start):
    quiz = make_quiz(access="public", attempts_allowed=None)
    start(quiz)
    html = client.get(quiz.get_absolute_url()).content.decode()
    assert OFFER in html and "Времени не ограничено" not in html
    assert "Ограничения по времени нет." in html
    assert "Или начните новую попытку" in html
    assert 'name="candidate_name"' in html


def test_coming_back_through_the_home_page_offers_to_continue(client, start):
    quiz = make_quiz(access="public", title="Открытый", time_limit=timedelta(minutes=30))
    other = make_quiz(access="public", title="Другой")
    attempt = start(quiz)
    html = client.get("/").content.decode()
    links = re.findall(r'class="btn btn-sm btn-primary resume-link" href="([^"]+)"', html)
    assert links == [attempt.get_absolute_url()]
    assert re.search(r"Продолжить незавершённую попытку \(осталось (29|30):\d\d\)", html)
    assert other.get_absolute_url() in html


def test_another_browser_is_offered_nothing(start, quiz):
    start(quiz)
    stranger = Client()
    assert OFFER not in stranger.get(quiz.get_absolute_url()).content.decode()
    assert "resume-link" not in stranger.get("/").content.decode()


def test_a_finished_or_overdue_attempt_is_not_offered(client, start):
    quiz = make_quiz(access="public", attempts_allowed=None, time_limit=timedelta(minutes=5))
    finished = start(quiz, email="done@example.com")
    client.post(finished.get_absolute_url(), answer_post(finished, ALL_RIGHT))
    overdue = start(quiz, email="late@example.com")
    Attempt.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert OFFER not in client.get(quiz.get_absolute_url()).content.decode()
    assert "resume-link" not in client.get("/").content.decode()


def test_the_browser_cookie_alone_finds_the_attempt_and_its_link_then_opens(client, start, quiz):
    attempt = start(quiz)
    # The session is gone (another session cookie), the browser's id cookie is not.
    returning = Client()
    returning.cookies[COOKIE] = client.cookies[COOKIE].value

    html = returning.get(quiz.get_absolute_url()).content.decode()

    assert OFFER in html
    assert returning.get(attempt.get_absolute_url()).status_code == 200


def test_the_invite_start_page_offers_this_browsers_attempt_of_the_quiz(client, start, quiz):
    attempt = start(quiz)
    invite = Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=5)
    client.get(invite.get_absolute_url())
    html = client.get(reverse("quizzes:invite_start")).content.decode()
    assert OFFER in html
    assert attempt.get_absolute_url() in html
    assert 'name="candidate_name"' not in html


# --- the rules ------------------------------------------------------------------------------


def test_the_quiz_page_states_the_rules_before_the_start(client):
    quiz = make_quiz(
        access="public",
        time_limit=timedelta(minutes=20),
        attempts_allowed=2,
        review_after_attempt="score",
        review_after_close="full",
        closes_at=timezone.now() + timedelta(days=3),
    )
    rules = _rules(client.get(quiz.get_absolute_url()).content.decode())
    assert rules[0] == "В тесте 3 вопроса."
    assert rules[1].startswith("Ограничение времени: 20 мин.")
    assert rules[2] == "Пройти тест можно 2 раза."
    assert rules[3] == "Сразу после отправки вы увидите свой результат в баллах."
    assert rules[4].startswith("После закрытия теста ")
    assert rules[4].endswith("вы увидите свой результат, правильные ответы и объяснения.")
    assert "сигналы добросовестности" in rules[5] and "не доказательство" in rules[5]


def test_the_rules_in_english_for_a_practice_quiz(client):
    quiz = make_quiz(title="Practice")
    quiz.set_practice()
    quiz.save()
    html = client.get(quiz.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rules = _rules(html)
    assert rules[:4] == [
        "The test has 3 questions.",
        "There is no time limit.",
        "You can take this test as many times as you like.",
        "Right after you submit, you will see your score, the right answers and the explanations.",
    ]
    assert rules[4].startswith("While you answer, the site records integrity signals")


def test_the_invite_start_page_states_the_same_rules(client):
    quiz = make_quiz(review_after_attempt="thanks", attempts_allowed=1)
    invite = Invite.objects.create(quiz=quiz, candidate_email="anna@example.com")
    client.get(invite.get_absolute_url())
    rules = _rules(client.get(reverse("quizzes:invite_start")).content.decode())
    assert rules[0] == "В тесте 3 вопроса."
    assert rules[2] == "Пройти тест можно 1 раз."
    assert rules[3] == (
        "Сразу после отправки вы увидите сообщение с благодарностью (без результата)."
    )
    assert "сигналы добросовестности" in rules[4]


@pytest.mark.parametrize(
    ("attempts_allowed", "max_uses", "said"),
    [
        (None, 1, "Пройти тест можно 1 раз."),  # not "as many times as you like"
        (None, 2, "Пройти тест можно 2 раза."),
        (3, 2, "Пройти тест можно 2 раза."),
        (1, 5, "Пройти тест можно 1 раз."),
    ],
)
def test_a_personal_invite_states_the_attempts_its_uses_allow(
    client, attempts_allowed, max_uses, said
):
    quiz = make_quiz(attempts_allowed=attempts_allowed)
    invite = Invite.objects.create(quiz=quiz, candidate_email="anna@example.com", max_uses=max_uses)
    client.get(invite.get_absolute_url())
    rules = _rules(client.get(reverse("quizzes:invite_start")).content.decode())
    assert said in rules


def _rules(html: str) -> list[str]:
    block = re.search(r'<ul class="test-rules">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


def test_the_home_page_offers_the_newest_of_several_open_attempts(client, start):
    quiz = make_quiz(access="public", attempts_allowed=None)
    start(quiz, email="first@example.com")
    newest = start(quiz, email="second@example.com")
    html = client.get("/").content.decode()
    links = re.findall(r'class="btn btn-sm btn-primary resume-link" href="([^"]+)"', html)
    assert links == [newest.get_absolute_url()]
