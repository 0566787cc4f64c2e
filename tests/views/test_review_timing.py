"""Review timing and the close date, as candidates meet them.

Time moves the way the other tests move it: stored moments are set relative to now.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import DEADLINE_GRACE, Attempt, Invite, Quiz
from quizzes.services.attempts import QuizClosed, start_attempt
from quizzes.services.invites import InviteUnavailable, redeem_invite
from tests.builders import ALL_RIGHT, answer_post, make_quiz

pytestmark = pytest.mark.django_db

# Moments relative to the close: the later review starts once the deadline grace is over.
OVER = DEADLINE_GRACE + timedelta(seconds=1)


def closing_in(delta: timedelta, title="Найм", **fields) -> Quiz:
    return make_quiz(title=title, closes_at=timezone.now() + delta, **fields)


def close_now(quiz: Quiz) -> None:
    """Move the close date into the past, grace included."""
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - OVER)


def take_by_invite(client, quiz: Quiz) -> tuple[Attempt, str]:
    """Open a personal invite, start, answer everything right, submit; the result page."""
    invite = Invite.objects.create(quiz=quiz, candidate_name="Анна", candidate_email="a@x.org")
    client.get(invite.get_absolute_url())
    client.post(reverse("quizzes:invite_start"))
    attempt = Attempt.objects.get(invite=invite)
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True)
    return attempt, response.content.decode()


def result_html(client, attempt: Attempt) -> str:
    return client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()


def shows_nothing_but_thanks(html: str) -> bool:
    return (
        "Спасибо! Ваши ответы отправлены." in html
        and "data-score" not in html
        and "data-points" not in html
        and "data-verdict" not in html
        and "Объяснение <strong>1</strong>" not in html
    )


def shows_full_review(html: str) -> bool:
    return (
        'data-score="3" data-max-score="3"' in html
        and html.count('data-points="1"') == 3
        and html.count('data-verdict="correct"') == 5
        and "Объяснение <strong>1</strong>" in html
        and "Спасибо" not in html
    )


def test_a_default_quiz_thanks_the_candidate_and_shows_the_review_after_it_closes(client):
    quiz = closing_in(timedelta(hours=2))
    attempt, html = take_by_invite(client, quiz)
    assert shows_nothing_but_thanks(html)
    assert 'class="alert alert-info review-later"' in html
    assert "Тест закрывается" in html

    # Reloading the same page changes nothing until the close, grace included.
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - DEADLINE_GRACE / 2)
    assert shows_nothing_but_thanks(result_html(client, attempt))

    close_now(quiz)
    later = result_html(client, attempt)
    assert shows_full_review(later)
    assert "review-later" not in later


def test_without_a_close_date_the_default_review_stays_a_thank_you(client):
    _attempt, html = take_by_invite(client, make_quiz(title="Найм"))
    assert shows_nothing_but_thanks(html)
    assert "review-later" not in html


def test_the_later_review_renders_verdicts_its_cached_fragments_did_not_have(client):
    quiz = closing_in(
        timedelta(hours=2),
        review_after_attempt=Quiz.ReviewPolicy.CORRECTNESS,
        review_after_close=Quiz.ReviewPolicy.FULL,
    )
    attempt, html = take_by_invite(client, quiz)
    assert html.count('data-points="1"') == 3 and "data-verdict" not in html
    assert "review-later" in html
    close_now(quiz)
    assert shows_full_review(result_html(client, attempt))


def test_the_review_after_the_close_may_also_show_less(client):
    quiz = closing_in(
        timedelta(hours=2),
        review_after_attempt=Quiz.ReviewPolicy.FULL,
        review_after_close=Quiz.ReviewPolicy.SCORE,
    )
    attempt, html = take_by_invite(client, quiz)
    assert shows_full_review(html) and "review-later" not in html
    close_now(quiz)
    later = result_html(client, attempt)
    assert 'data-score="3"' in later and "data-points" not in later and "data-verdict" not in later


def test_the_result_page_is_never_cached(client):
    attempt, _ = take_by_invite(client, closing_in(timedelta(hours=2)))
    response = client.get(reverse("quizzes:result", args=[attempt.public_id]))
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_a_practice_quiz_shows_the_full_review_right_away(client, start):
    quiz = make_quiz(title="Практика")
    quiz.set_practice()
    quiz.save()
    attempt = start(quiz)
    html = client.post(
        attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True
    ).content.decode()
    assert shows_full_review(html)
    assert "Практика" in client.get("/").content.decode()


# --- the close date ------------------------------------------------------------------------


def test_a_closed_public_quiz_is_not_listed_and_starts_no_attempt(client):
    quiz = closing_in(timedelta(hours=2), access=Quiz.Access.PUBLIC)
    assert "Найм" in client.get("/").content.decode()
    close_now(quiz)
    assert "Найм" not in client.get("/").content.decode()

    page = client.get(quiz.get_absolute_url())
    assert page.status_code == 410
    assert "Тест закрыт" in page.content.decode()
    assert 'name="candidate_email"' not in page.content.decode()
    started = client.post(
        quiz.get_absolute_url(), {"candidate_name": "Б", "candidate_email": "b@x.org"}
    )
    assert started.status_code == 410
    assert not Attempt.objects.exists()


def test_the_closed_page_of_a_public_quiz_links_to_this_browsers_result(client, start):
    # Two attempts from this one browser: the quiz allows more than one.
    quiz = closing_in(timedelta(hours=2), access=Quiz.Access.PUBLIC, attempts_allowed=None)
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    stranger = start(quiz, email="s@x.org")  # started in this browser, still open
    close_now(quiz)
    html = client.get(quiz.get_absolute_url()).content.decode()
    result_url = reverse("quizzes:result", args=[attempt.public_id])
    assert f'class="finished-attempt" href="{result_url}"' in html
    assert str(stranger.public_id) not in html
    assert str(attempt.public_id) not in Client().get(quiz.get_absolute_url()).content.decode()
    assert shows_full_review(result_html(client, attempt))


def test_the_start_pages_say_when_the_quiz_closes(client):
    public = closing_in(timedelta(days=2), access=Quiz.Access.PUBLIC)
    assert "Тест закрывается" in client.get(public.get_absolute_url()).content.decode()
    invited = closing_in(timedelta(days=2), title="По приглашению")
    invite = Invite.objects.create(quiz=invited, candidate_email="c@x.org")
    client.get(invite.get_absolute_url())
    assert "Тест закрывается" in client.get(reverse("quizzes:invite_start")).content.decode()


def test_an_invite_to_a_closed_quiz_starts_nothing_and_says_why(client):
    quiz = closing_in(timedelta(hours=2))
    invite = Invite.objects.create(quiz=quiz, candidate_name="В", candidate_email="v@x.org")
    client.get(invite.get_absolute_url())  # on the start page when the quiz closes
    close_now(quiz)
    response = client.post(reverse("quizzes:invite_start"))
    assert response.status_code == 410
    assert "Тест закрыт" in response.content.decode()
    link = client.get(invite.get_absolute_url())
    assert link.status_code == 410 and "Тест закрыт" in link.content.decode()
    invite.refresh_from_db()
    assert invite.uses == 0 and not Attempt.objects.exists()


def test_after_the_close_the_invite_link_leads_back_to_the_result(client):
    quiz = closing_in(timedelta(hours=2))
    attempt, _ = take_by_invite(client, quiz)
    close_now(quiz)
    response = client.get(attempt.invite.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("quizzes:result", args=[attempt.public_id])
    assert shows_full_review(response.content.decode())


def test_starting_after_the_close_is_refused_by_the_service_itself():
    quiz = closing_in(-OVER)
    with pytest.raises(QuizClosed):
        start_attempt(quiz=quiz, candidate_name="Г", candidate_email="g@x.org")
    assert not Attempt.objects.exists()


def test_a_public_start_racing_the_close_starts_nothing(client, monkeypatch):
    quiz = closing_in(timedelta(hours=2), access=Quiz.Access.PUBLIC)
    answers = iter([False, True])  # open when the page checks, closed when the start does
    monkeypatch.setattr(Quiz, "is_closed", lambda self, now=None: next(answers))
    response = client.post(
        quiz.get_absolute_url(), {"candidate_name": "Ж", "candidate_email": "zh@x.org"}
    )
    assert response.status_code == 410 and "Тест закрыт" in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_redeem_racing_the_close_reports_the_quiz_closed(monkeypatch):
    # The invite's own check passed a moment before the close; the start itself refuses.
    quiz = closing_in(-OVER)
    invite = Invite.objects.create(quiz=quiz, candidate_name="Д", candidate_email="d@x.org")
    monkeypatch.setattr(Invite, "unavailable_reason", lambda self, now=None: None)
    with pytest.raises(InviteUnavailable) as error:
        redeem_invite(invite_id=invite.pk)
    assert error.value.reason == "closed"
    invite.refresh_from_db()
    assert invite.uses == 0 and not Attempt.objects.exists()


@pytest.mark.parametrize("time_limit", [None, timedelta(hours=1), timedelta(minutes=5)])
def test_an_attempt_ends_at_the_close_at_the_latest(time_limit):
    quiz = closing_in(timedelta(minutes=10), time_limit=time_limit)
    attempt = start_attempt(quiz=quiz, candidate_name="Е", candidate_email="e@x.org")
    own_end = attempt.started_at + time_limit if time_limit else quiz.closes_at
    assert attempt.deadline == min(own_end, quiz.closes_at)


def test_the_countdown_runs_to_the_close(client, start):
    quiz = closing_in(timedelta(minutes=10), access=Quiz.Access.PUBLIC)
    attempt = start(quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    seconds = int(html.split('data-remaining-seconds="', 1)[1].split('"', 1)[0])
    assert 590 <= seconds <= 600


def test_the_invite_list_shows_invites_of_a_closed_quiz_as_such(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@x.org", "pw"))
    open_invite = Invite.objects.create(
        quiz=closing_in(timedelta(hours=2)), candidate_email="o@x.org"
    )
    closed = closing_in(-OVER, title="Закрыт")
    Invite.objects.create(quiz=closed, candidate_email="c@x.org")
    html = client.get(
        reverse("admin:quizzes_invite_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    statuses = re.findall(r'<td class="field-status">([^<]*)</td>', html)
    assert sorted(statuses) == ["active", "quiz closed"]
    assert open_invite.unavailable_reason() is None
