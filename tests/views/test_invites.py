"""Invites: staff create them, candidates redeem them without the token leaking further."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.admin.invite_forms import BulkInviteForm
from quizzes.candidates import InviteEntry, parse_invite_line
from quizzes.models import Attempt, Invite
from quizzes.selectors.candidate import open_attempt_for_invite
from quizzes.services.admission import Admission, admit
from quizzes.services.attempts import save_answers, start_attempt, submit_attempt
from quizzes.services.invites import InviteUnavailable, redeem_invite
from tests.builders import ALL_RIGHT, answer_post, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite_quiz():
    return make_quiz(title="Закрытый тест", access="invite", review_after_attempt="full")


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def make_invite(quiz, **fields):
    fields.setdefault("candidate_name", "Анна Иванова")
    fields.setdefault("candidate_email", "anna@example.com")
    return Invite.objects.create(quiz=quiz, **fields)


def redeem(client, invite, data=None):
    """Open the link, press Start; returns the final response (followed)."""
    response = client.get(invite.get_absolute_url())
    assert response.status_code == 302, response.status_code
    if response["Location"] != reverse("quizzes:invite_start"):
        return client.get(response["Location"], follow=True)
    return client.post(reverse("quizzes:invite_start"), data or {}, follow=True)


# --- parsing pasted lists ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "email"),
    [
        ("Анна Иванова <anna@example.com>", "Анна Иванова", "anna@example.com"),
        ("  bob@example.com  ", "", "bob@example.com"),
        ("Пётр Петров, petr@example.com", "Пётр Петров", "petr@example.com"),
        ("Олег\toleg@example.com", "Олег", "oleg@example.com"),
        ('"Smith, John" <john@example.com>', "Smith, John", "john@example.com"),
    ],
)
def test_pasted_line_formats_are_understood(line, name, email):
    assert parse_invite_line(line) == InviteEntry(name=name, email=email)


def test_bulk_form_reports_bad_and_duplicate_lines_by_number(invite_quiz):
    form = BulkInviteForm(
        {
            "quiz": invite_quiz.pk,
            "lines": "a@example.com\n\nnot an email\nA <A@example.com>",
            "max_uses": 1,
        }
    )
    assert not form.is_valid()
    errors = form.errors["lines"]
    assert any("3" in error and "not an email" in error for error in errors)
    assert any("4" in error and "A@example.com" in error for error in errors)


# --- staff -----------------------------------------------------------------------------------


def test_staff_create_invites_in_bulk_and_see_full_links(admin_client, invite_quiz):
    expires = (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    response = admin_client.post(
        reverse("admin:quizzes_invite_bulk"),
        {
            "quiz": invite_quiz.pk,
            "lines": "Анна Иванова <anna@example.com>\nbob@example.com\n",
            "max_uses": 2,
            "expires_at": expires,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    invites = list(Invite.objects.order_by("candidate_email"))
    assert [(i.candidate_name, i.candidate_email) for i in invites] == [
        ("Анна Иванова", "anna@example.com"),
        ("", "bob@example.com"),
    ]
    assert all(
        i.max_uses == 2 and i.expires_at and i.created_by.username == "boss" for i in invites
    )
    assert len({i.token for i in invites}) == 2 and all(len(i.token) >= 32 for i in invites)
    for invite in invites:
        assert f"http://testserver/invite/{invite.token}/" in html
    assert html.count('class="created-invite"') == 2


def test_bulk_page_shows_errors_and_creates_nothing(admin_client, invite_quiz):
    response = admin_client.post(
        reverse("admin:quizzes_invite_bulk"),
        {"quiz": invite_quiz.pk, "lines": "ok@example.com\nnope", "max_uses": 1},
    )
    assert response.status_code == 200
    assert "nope" in response.content.decode()
    assert Invite.objects.count() == 0


def test_staff_create_one_invite_and_the_list_shows_its_link_and_uses(admin_client, invite_quiz):
    response = admin_client.post(
        reverse("admin:quizzes_invite_add"),
        {
            "quiz": invite_quiz.pk,
            "kind": "personal",
            "candidate_name": "Вера",
            "candidate_email": "vera@example.com",
            "max_uses": 1,
        },
        follow=True,
    )
    invite = Invite.objects.get()
    assert invite.created_by.username == "boss"
    html = response.content.decode()
    assert f"http://testserver/invite/{invite.token}/" in html
    assert "0 / 1" in html
    change = admin_client.get(reverse("admin:quizzes_invite_change", args=[invite.pk]))
    assert f'value="http://testserver/invite/{invite.token}/"' in change.content.decode()


def test_changelist_links_to_bulk_creation(admin_client):
    html = admin_client.get(reverse("admin:quizzes_invite_changelist")).content.decode()
    assert reverse("admin:quizzes_invite_bulk") in html


def test_staff_delete_invites_from_the_list(admin_client, invite_quiz):
    invite = make_invite(invite_quiz)
    response = admin_client.post(
        reverse("admin:quizzes_invite_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [invite.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Invite.objects.exists()


def test_changelist_with_an_unknown_filter_redirects(admin_client):
    url = reverse("admin:quizzes_invite_changelist")
    response = admin_client.get(url + "?no_such_field=1")
    assert response.status_code == 302
    assert response["Location"] == url + "?e=1"


# --- candidates ------------------------------------------------------------------------------


def test_invite_only_quiz_cannot_be_started_from_its_public_page(client, invite_quiz):
    assert client.get(invite_quiz.get_absolute_url()).status_code == 404
    response = client.post(
        invite_quiz.get_absolute_url(), {"candidate_name": "X", "candidate_email": "x@example.com"}
    )
    assert response.status_code == 404
    assert Attempt.objects.count() == 0


def test_link_leads_to_a_start_page_without_the_token_then_starts_the_attempt(client, invite_quiz):
    invite = make_invite(invite_quiz)
    client.get("/")  # a session exists before the link is opened
    key_before = client.session.session_key

    response = client.get(invite.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == "/invite/"
    assert client.session.session_key != key_before
    assert Attempt.objects.count() == 0  # opening the link alone does not start the clock
    start_page = client.get("/invite/")
    html = start_page.content.decode()
    assert "Закрытый тест" in html and "Анна Иванова" in html
    assert invite.token not in html
    assert 'name="candidate_email"' not in html  # the invite already says who it is for

    response = client.post("/invite/", {}, follow=True)

    attempt = Attempt.objects.get()
    assert response.redirect_chain[-1][0] == attempt.get_absolute_url()
    assert (attempt.candidate_name, attempt.candidate_email, attempt.invite) == (
        "Анна Иванова",
        "anna@example.com",
        invite,
    )
    invite.refresh_from_db()
    assert invite.uses == 1
    assert invite.token not in response.content.decode()
    result = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True)
    assert 'data-score="3"' in result.content.decode()
    assert invite.token not in result.content.decode()


def test_shared_invite_asks_for_name_and_email(client, invite_quiz):
    invite = make_invite(invite_quiz, kind="shared", candidate_name="", candidate_email="")
    client.get(invite.get_absolute_url())
    html = client.get("/invite/").content.decode()
    assert 'name="candidate_name"' in html and 'name="candidate_email"' in html

    response = client.post("/invite/", {"candidate_name": "Ира", "candidate_email": "bad"})
    assert response.status_code == 200 and Attempt.objects.count() == 0

    client.post("/invite/", {"candidate_name": "Ира", "candidate_email": "ira@example.com"})
    attempt = Attempt.objects.get()
    assert (attempt.candidate_name, attempt.candidate_email) == ("Ира", "ira@example.com")


def test_invite_email_cannot_be_replaced_by_the_candidate(client, invite_quiz):
    invite = make_invite(invite_quiz, candidate_name="")
    client.get(invite.get_absolute_url())
    client.post("/invite/", {"candidate_name": "Ира", "candidate_email": "other@example.com"})
    assert Attempt.objects.get().candidate_email == "anna@example.com"


def test_opening_the_link_again_in_a_new_browser_resumes_the_same_attempt(client, invite_quiz):
    invite = make_invite(invite_quiz)
    redeem(client, invite)
    attempt = Attempt.objects.get()
    q2 = invite_quiz.questions.get(position=2)
    save_answers(attempt_id=attempt.pk, selections={q2.id: [q2.options.first().id]})

    other_browser = Client()
    response = other_browser.get(invite.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()
    html = other_browser.get(attempt.get_absolute_url()).content.decode()
    assert f'value="{q2.options.first().id}" checked' in html or "checked" in html
    assert Attempt.objects.count() == 1
    invite.refresh_from_db()
    assert invite.uses == 1


def test_used_up_invite_gets_a_clear_410_page(client, invite_quiz):
    invite = make_invite(invite_quiz)
    redeem(client, invite)
    submit_attempt(attempt_id=Attempt.objects.get().pk, selections={})

    response = Client().get(invite.get_absolute_url())

    assert response.status_code == 410
    assert "уже использована" in response.content.decode()


def test_the_browser_that_finished_is_sent_to_its_result(client, invite_quiz):
    invite = make_invite(invite_quiz)
    redeem(client, invite)
    attempt = Attempt.objects.get()
    submit_attempt(attempt_id=attempt.pk, selections={})

    response = client.get(invite.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:result", args=[attempt.public_id])


def test_expired_invite_gets_410_but_a_started_attempt_can_still_be_resumed(client, invite_quiz):
    expired = make_invite(invite_quiz, expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(expired.get_absolute_url())
    assert response.status_code == 410
    assert "истёк" in response.content.decode()

    started = make_invite(invite_quiz, candidate_email="b@example.com")
    redeem(client, started)
    Invite.objects.filter(pk=started.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(started.get_absolute_url())
    assert response["Location"] == Attempt.objects.get().get_absolute_url()


def test_unknown_token_and_unpublished_quiz_get_404_pages(client, invite_quiz):
    response = client.get("/invite/no-such-token/")
    assert response.status_code == 404
    assert "не найдена" in response.content.decode()
    invite = make_invite(make_quiz(title="Черновик", published=False))
    assert client.get(invite.get_absolute_url()).status_code == 404
    assert client.get("/invite/").status_code == 404  # no invite in this session


def test_start_page_after_the_last_use_is_gone_gets_410(client, invite_quiz):
    invite = make_invite(invite_quiz)
    client.get(invite.get_absolute_url())
    Invite.objects.filter(pk=invite.pk).update(uses=1)
    response = client.post("/invite/", {})
    assert response.status_code == 410
    assert Attempt.objects.count() == 0


def test_multi_use_invite_starts_a_new_attempt_after_the_previous_one_ended(invite_quiz):
    invite_quiz.attempts_allowed = 2
    invite_quiz.save()
    invite = make_invite(invite_quiz, max_uses=2)
    first = redeem_invite(invite_id=invite.pk)
    assert redeem_invite(invite_id=invite.pk) == first  # open: resumed, not new
    submit_attempt(attempt_id=first.pk, selections={})
    second = redeem_invite(invite_id=invite.pk)
    assert second != first
    submit_attempt(attempt_id=second.pk, selections={})
    with pytest.raises(InviteUnavailable) as error:
        redeem_invite(invite_id=invite.pk)
    assert error.value.reason == "used_up"
    invite.refresh_from_db()
    assert invite.uses == 2


def test_database_allows_one_open_attempt_per_personal_invite(invite_quiz):
    invite = make_invite(invite_quiz)
    redeem_invite(invite_id=invite.pk)
    with pytest.raises(IntegrityError):
        start_attempt(
            quiz=invite_quiz,
            candidate_name="Анна Иванова",
            candidate_email="anna@example.com",
            invite=invite,
        )


def test_database_allows_one_open_attempt_per_person_on_a_shared_invite(invite_quiz):
    invite = make_invite(invite_quiz, kind="shared", candidate_name="", candidate_email="")
    for email in ("a@example.com", "b@example.com"):
        start_attempt(quiz=invite_quiz, candidate_name="X", candidate_email=email, invite=invite)
    with pytest.raises(IntegrityError):
        start_attempt(
            quiz=invite_quiz, candidate_name="X", candidate_email="A@Example.com", invite=invite
        )


def test_a_lost_race_resumes_the_winners_attempt(invite_quiz, monkeypatch):
    """The second of two simultaneous first clicks hits the constraint and resumes."""
    invite = make_invite(invite_quiz, max_uses=5)
    winner = start_attempt(
        quiz=invite_quiz, candidate_name="A", candidate_email="anna@example.com", invite=invite
    )
    real_lookup, real_admit = open_attempt_for_invite, admit
    calls = []

    def lookup_that_misses_once(invite):
        calls.append(invite)
        return None if len(calls) == 1 else real_lookup(invite)

    def admit_that_misses_once(quiz, candidate):
        # The race: the winner's attempt was not committed yet when the loser looked.
        return (
            Admission(resume=None, attempt_left=True)
            if len(calls) == 1
            else real_admit(quiz, candidate)
        )

    monkeypatch.setattr("quizzes.services.invites.open_attempt_for_invite", lookup_that_misses_once)
    monkeypatch.setattr("quizzes.services.invites.admit", admit_that_misses_once)

    assert redeem_invite(invite_id=invite.pk) == winner
    assert len(calls) == 2
    assert Attempt.objects.filter(invite=invite).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_clicks_start_one_attempt(invite_quiz):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    invite = make_invite(invite_quiz, max_uses=3)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def click():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(redeem_invite(invite_id=invite.pk).pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    invite.refresh_from_db()
    assert invite.uses == 1
