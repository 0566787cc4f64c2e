"""Attempts allowed under simultaneous starts: real threads and connections on PostgreSQL."""

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Invite
from quizzes.services.admission import start_public_attempt
from quizzes.services.invites import redeem_invite
from quizzes.services.revisions import current_revision
from tests.builders import make_quiz
from tests.test_concurrency import run_together
from tests.test_lock_scope import while_holding

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 6


def ready_quiz(**fields):
    quiz = make_quiz(**{"access": "public", **fields})
    # The first start of new content creates the revision; make it exist already so the
    # starts race on the attempt, not on the revision.
    current_revision(quiz)
    return quiz


def test_browsers_starting_with_one_email_at_once_get_one_attempt():
    quiz = ready_quiz()
    browsers = iter([Client() for _ in range(ATTEMPTS)])
    data = {"candidate_name": "Анна", "candidate_email": "anna@example.com"}

    responses = run_together(lambda: next(browsers).post(quiz.get_absolute_url(), data), ATTEMPTS)

    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == [302] + [409] * (ATTEMPTS - 1), responses
    assert Attempt.objects.count() == 1


def test_one_browser_starting_with_several_emails_at_once_gets_one_attempt():
    quiz = ready_quiz()
    first = Client()
    first.get(quiz.get_absolute_url())
    browser_id = first.cookies["quizzes_browser"].value
    tabs = []
    for _ in range(ATTEMPTS):
        tab = Client()
        tab.cookies["quizzes_browser"] = browser_id
        tabs.append(tab)
    pending = iter(enumerate(tabs))

    def start():
        n, tab = next(pending)
        data = {"candidate_name": f"Кандидат {n}", "candidate_email": f"c{n}@example.com"}
        return tab.post(quiz.get_absolute_url(), data)

    responses = run_together(start, ATTEMPTS)

    attempt = Attempt.objects.get()
    # Every tab lands in the one attempt: the browser made it, so it resumes there.
    assert [getattr(r, "status_code", repr(r)) for r in responses] == [302] * ATTEMPTS
    assert {r["Location"] for r in responses} == {attempt.get_absolute_url()}


def test_two_personal_invites_of_one_email_redeemed_at_once_start_one_attempt():
    quiz = ready_quiz(access="invite")
    invites = iter(
        [
            Invite.objects.create(quiz=quiz, candidate_name="Анна", candidate_email=email)
            for email in ("anna@example.com", "ANNA@example.com")
        ]
    )

    results = run_together(lambda: redeem_invite(invite_id=next(invites).pk), 2)

    assert sorted(type(r).__name__ for r in results) == ["Attempt", "AttemptOpenElsewhere"]
    assert Attempt.objects.count() == 1


def test_people_joining_a_shared_link_at_once_each_get_their_own_attempt():
    quiz = ready_quiz(access="invite")
    invite = Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=ATTEMPTS)
    people = iter(range(ATTEMPTS))

    def join():
        n = next(people)
        browser = Client()
        browser.get(invite.get_absolute_url())
        return browser.post(
            reverse("quizzes:invite_start"),
            {"candidate_name": f"Человек {n}", "candidate_email": f"p{n}@example.com"},
        )

    responses = run_together(join, ATTEMPTS)

    assert [getattr(r, "status_code", repr(r)) for r in responses] == [302] * ATTEMPTS
    assert len({r["Location"] for r in responses}) == ATTEMPTS
    invite.refresh_from_db()
    assert invite.uses == ATTEMPTS == Attempt.objects.filter(invite=invite).count()


def test_a_start_waits_only_for_starts_of_the_same_candidate():
    quiz = ready_quiz(attempts_allowed=None)
    limited = ready_quiz(title="С лимитом")

    def start(email, on=limited):
        return start_public_attempt(quiz=on, candidate_name="X", candidate_email=email)

    other = while_holding(lambda: start("a@example.com"), lambda: start("b@example.com"))
    assert isinstance(other, Attempt) and other.candidate_email == "b@example.com"

    same = while_holding(lambda: start("c@example.com"), lambda: start("C@example.com"))
    assert isinstance(same, Exception) and "lock timeout" in str(same), same

    unlimited = while_holding(
        lambda: start("d@example.com", on=quiz), lambda: start("d@example.com", on=quiz)
    )
    assert isinstance(unlimited, Attempt)


def test_the_loser_of_a_race_is_refused_not_given_the_winners_attempt():
    quiz = ready_quiz()
    results = run_together(
        lambda: start_public_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org"),
        ATTEMPTS,
    )
    names = sorted(type(r).__name__ for r in results)
    assert names == ["Attempt"] + ["AttemptOpenElsewhere"] * (ATTEMPTS - 1), results
    assert Attempt.objects.count() == 1
