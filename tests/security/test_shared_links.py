"""Shared and personal invite links: nobody reaches another person's attempt through a link."""

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import Answer, Attempt, Invite
from tests.builders import ALL_RIGHT, ALL_WRONG, answer_field, answer_post, make_quiz, option_ids

pytestmark = pytest.mark.django_db

START = "/invite/"


@pytest.fixture
def quiz():
    return make_quiz(title="Когорта", access="invite")


@pytest.fixture
def shared(quiz):
    return Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=30)


def join(browser, invite, name, email) -> Attempt:
    """Open the link and start with a name and email; returns the browser's attempt."""
    opened = browser.get(invite.get_absolute_url())
    assert opened.status_code == 302 and opened["Location"] == START
    started = browser.post(START, {"candidate_name": name, "candidate_email": email})
    assert started.status_code == 302, started.content.decode()[:300]
    return Attempt.objects.get(public_id=started["Location"].split("/")[2])


def test_two_browsers_on_one_shared_link_get_two_attempts(shared):
    anna = join(Client(), shared, "Анна", "anna@example.com")
    boris = join(Client(), shared, "Борис", "boris@example.com")

    assert anna.pk != boris.pk
    assert [(a.candidate_name, a.invite_id) for a in (anna, boris)] == [
        ("Анна", shared.pk),
        ("Борис", shared.pk),
    ]
    shared.refresh_from_db()
    assert shared.uses == 2


def test_the_second_person_is_not_sent_into_the_first_persons_open_attempt(shared):
    anna = join(Client(), shared, "Анна", "anna@example.com")
    boris = Client()

    response = boris.get(shared.get_absolute_url())

    assert response["Location"] == START
    page = boris.get(START).content.decode()
    assert 'name="candidate_email"' in page and "Анна" not in page
    assert "Этой ссылкой пользуются несколько человек" in page
    assert boris.get(anna.get_absolute_url()).status_code == 404


def test_the_second_person_cannot_open_save_or_submit_the_first_ones_attempt(quiz, shared):
    first = Client()
    anna = join(first, shared, "Анна", "anna@example.com")
    first.post(anna.get_absolute_url(), {**answer_post(anna, ALL_RIGHT), "action": "save"})
    saved = dict(Answer.objects.filter(attempt=anna).values_list("question_id", "selected"))
    boris = Client()
    join(boris, shared, "Борис", "boris@example.com")

    # Even with Anna's own field names and values (which Boris never sees), he gets nowhere.
    answers = answer_post(anna, ALL_WRONG)
    autosave = reverse("quizzes:autosave", args=[anna.public_id])
    result = reverse("quizzes:result", args=[anna.public_id])
    assert boris.get(anna.get_absolute_url()).status_code == 404
    assert boris.post(autosave, {**answers, "seq": 99}).status_code == 404
    assert boris.post(anna.get_absolute_url(), {**answers, "action": "finish"}).status_code == 404
    assert boris.get(result).status_code == 404

    anna.refresh_from_db()
    assert anna.state == Attempt.State.IN_PROGRESS and anna.save_seq == 0
    assert dict(Answer.objects.filter(attempt=anna).values_list("question_id", "selected")) == (
        saved
    )


def test_the_same_email_in_another_browser_is_told_to_continue_where_it_started(shared):
    anna = join(Client(), shared, "Анна", "anna@example.com")
    elsewhere = Client()
    elsewhere.get(shared.get_absolute_url())

    response = elsewhere.post(
        START, {"candidate_name": "Анна", "candidate_email": "anna@example.com"}
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Продолжите в браузере, где начали" in html
    assert "Прислать код на почту" in html and "a***@example.com" in html
    assert str(anna.public_id) not in html and "anna@example.com" not in html
    assert Attempt.objects.count() == 1
    assert elsewhere.get(anna.get_absolute_url()).status_code == 404


def test_the_browser_that_started_resumes_its_own_attempt_through_the_link(quiz, shared):
    first = Client()
    anna = join(first, shared, "Анна", "anna@example.com")
    join(Client(), shared, "Борис", "boris@example.com")

    assert first.get(shared.get_absolute_url())["Location"] == anna.get_absolute_url()

    first.post(anna.get_absolute_url(), {**answer_post(anna, ALL_RIGHT), "action": "finish"})
    anna.refresh_from_db()
    assert anna.state == Attempt.State.SUBMITTED and anna.score == 3


def test_a_browser_whose_session_expired_resumes_by_its_id_cookie(shared):
    first = Client()
    anna = join(first, shared, "Анна", "anna@example.com")
    first.cookies.pop("sessionid")

    assert first.get(shared.get_absolute_url())["Location"] == anna.get_absolute_url()
    assert first.get(anna.get_absolute_url()).status_code == 200


def test_pressing_start_twice_resumes_instead_of_refusing(shared):
    browser = Client()
    browser.get(shared.get_absolute_url())
    # The second click of a double click: the same browser, a session that does not know
    # the attempt the first click is creating.
    second_click = Client()
    second_click.cookies["quizzes_browser"] = browser.cookies["quizzes_browser"].value
    second_click.get(shared.get_absolute_url())
    details = {"candidate_name": "Анна", "candidate_email": "anna@example.com"}

    first = browser.post(START, details)
    again = second_click.post(START, details)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Attempt.objects.count() == 1


def test_a_shared_link_used_up_still_takes_its_people_back_to_their_results(quiz):
    invite = Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=1)
    browser = Client()
    anna = join(browser, invite, "Анна", "anna@example.com")
    browser.post(anna.get_absolute_url(), {"action": "finish"})

    assert browser.get(invite.get_absolute_url())["Location"] == (
        reverse("quizzes:result", args=[anna.public_id])
    )
    assert Client().get(invite.get_absolute_url()).status_code == 410


def test_a_personal_link_resumes_on_another_device_which_can_save_and_submit(quiz):
    invite = Invite.objects.create(quiz=quiz, candidate_name="Вера", candidate_email="v@x.org")
    laptop, phone = Client(), Client()
    laptop.get(invite.get_absolute_url())
    started = laptop.post(START, {})
    attempt = Attempt.objects.get()
    assert started["Location"] == attempt.get_absolute_url()

    assert phone.get(invite.get_absolute_url())["Location"] == attempt.get_absolute_url()
    question = quiz.questions.get(position=2)
    autosave = reverse("quizzes:autosave", args=[attempt.public_id])
    chosen = option_ids(quiz, 2, *ALL_RIGHT[2])
    tokens = [attempt.tokens.option(option_id) for option_id in chosen]
    assert phone.post(autosave, {answer_field(attempt, question.id): tokens, "seq": 1}).json()[
        "saved"
    ]
    assert attempt.answers.get(question_id=question.id).selected == chosen
    phone.post(attempt.get_absolute_url(), {**answer_post(attempt, ALL_RIGHT), "action": "finish"})

    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 3
    assert Attempt.objects.count() == 1


def test_bulk_invites_are_personal(admin_client, quiz):
    admin_client.post(
        reverse("admin:quizzes_invite_bulk"),
        {"quiz": quiz.pk, "lines": "a@example.com\nБорис <b@example.com>", "max_uses": 1},
    )
    assert set(Invite.objects.values_list("kind", flat=True)) == {Invite.Kind.PERSONAL}


def test_staff_create_a_shared_link_in_the_admin(admin_client, quiz):
    response = admin_client.post(
        reverse("admin:quizzes_invite_add"),
        {"quiz": quiz.pk, "kind": "shared", "label": "Весенний набор", "max_uses": 40},
        follow=True,
    )
    invite = Invite.objects.get()
    assert (invite.kind, invite.label, invite.max_uses) == ("shared", "Весенний набор", 40)
    assert f"http://testserver/invite/{invite.token}/" in response.content.decode()
    changelist = admin_client.get(reverse("admin:quizzes_invite_changelist") + "?kind=shared")
    assert "Весенний набор" in changelist.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": "shared", "candidate_email": "a@example.com"},
            "Общее приглашение ни на кого не выписано",
        ),
        ({"kind": "personal", "candidate_name": "Анна"}, "В личном приглашении нужен email"),
    ],
)
def test_the_admin_explains_what_each_kind_of_invite_needs(admin_client, quiz, fields, message):
    response = admin_client.post(
        reverse("admin:quizzes_invite_add"), {"quiz": quiz.pk, "max_uses": 1, **fields}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invite.objects.exists()


def test_a_used_link_keeps_its_kind(admin_client, quiz, shared):
    join(Client(), shared, "Анна", "anna@example.com")
    url = reverse("admin:quizzes_invite_change", args=[shared.pk])
    assert 'name="kind"' not in admin_client.get(url).content.decode()

    admin_client.post(
        url,
        {
            "quiz": quiz.pk,
            "kind": "personal",
            "candidate_name": "Карл",
            "candidate_email": "karl@example.com",
            "max_uses": 30,
        },
    )

    shared.refresh_from_db()
    assert shared.kind == Invite.Kind.SHARED
    assert Client().get(shared.get_absolute_url())["Location"] == START
