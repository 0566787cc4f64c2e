"""Invitations by email: composed in the invite's language, queued with the invites in one
request, delivered by the queue to a real SMTP server, with their delivery in the admin."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.admin.invite_forms import BulkInviteForm
from quizzes.candidates import MAX_CANDIDATES, InviteEntry
from quizzes.models import Invite, OutboundEmail
from quizzes.services import mail
from quizzes.services.invitations import compose
from quizzes.services.invites import create_invites
from tests.builders import make_quiz
from tests.mail import html_of, text_of

pytestmark = pytest.mark.django_db

SITE = "https://quiz.example.org"
LINK = re.compile(r"https://quiz\.example\.org(/invite/[\w-]+/)")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def quiz():
    return make_quiz(
        title="Python <junior>",
        access="invite",
        time_limit=timedelta(minutes=45),
        invitation_message="Удачи! Вопросы — **Ольге**.\n\n<script>alert(1)</script>",
    )


def _sign_in_recruiter(client):
    user = User.objects.create_user("recruiter", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    client.force_login(user)
    return client


@pytest.fixture
def recruiter(client):
    """A Recruiter as migrations make them."""
    return _sign_in_recruiter(client)


def _bulk(client, quiz, **fields):
    data = {"quiz": quiz.pk, "max_uses": 1, "expires_at": "", "language": "ru", **fields}
    return client.post(reverse("admin:quizzes_invite_bulk"), data)


def _candidates(count: int) -> str:
    return "\n".join(f"Кандидат {n} <candidate{n}@example.com>" for n in range(count))


# --- composing ---------------------------------------------------------------------------


def test_the_invitation_names_the_quiz_limit_expiry_link_and_message_in_russian(quiz):
    expires = timezone.now() + timedelta(days=3)
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Анна <b>", candidate_email="anna@example.com", expires_at=expires
    )
    email = compose(invite)
    assert email.subject == "Приглашение на тест «Python <junior>»"
    assert email.to == "anna@example.com" and email.invite == invite
    link = f"{SITE}/invite/{invite.token}/"
    assert "Здравствуйте, Анна <b>!" in email.body_text
    assert "Лимит времени: 45 мин." in email.body_text
    assert f"{timezone.localtime(expires):%Y}" in email.body_text
    assert link in email.body_text
    # The text part has the markdown as written; the HTML part the sanitized rendering.
    assert "Вопросы — **Ольге**." in email.body_text
    assert "Здравствуйте, Анна &lt;b&gt;!" in email.body_html
    assert "Python &lt;junior&gt;" in email.body_html
    assert f'<a href="{link}">' in email.body_html
    assert "<strong>Ольге</strong>" in email.body_html
    assert "<script>" not in email.body_html


def test_the_invitation_is_in_the_invites_language(quiz):
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Bob", candidate_email="bob@example.com", language="en"
    )
    email = compose(invite)
    assert email.subject == "Invitation to the test “Python <junior>”"
    assert "Hello, Bob!" in email.body_text and "Time limit: 45 min." in email.body_text
    assert '<html lang="en">' in email.body_html


def test_a_title_with_a_line_break_cannot_add_headers_or_stop_the_email(quiz, smtp_server):
    quiz.title = "Python\r\nBcc: victim@example.org\nX-Evil: 1"
    quiz.save(update_fields=["title"])
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Анна\r\nBcc: b@example.org", candidate_email="a@example.com"
    )
    mail.queue_emails([compose(invite)])
    mail.deliver_due()

    (message,) = smtp_server.wait_for(1)
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT
    assert (
        str(message["Subject"]).strip()
        == "Приглашение на тест «Python Bcc: victim@example.org X-Evil: 1»"
    )
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert smtp_server.to("victim@example.org") == [] and smtp_server.to("b@example.org") == []


# --- bulk: 100 candidates, one request, no SMTP in it ---------------------------------------


def _post_counting(client, quiz, count):
    with CaptureQueriesContext(connection) as queries:
        response = _bulk(client, quiz, lines=_candidates(count), send_email="on", language="en")
    assert response.status_code == 200, response.content[:500]
    return response, len(queries)


# Transactional: the emails are queued when the request's transaction commits, and the
# queue's consumer (run_queued) closes its database connection after each task, as the
# real one does.
@pytest.mark.django_db(transaction=True)
def test_bulk_invite_of_100_by_email_queues_them_in_a_constant_number_of_queries(
    client, roles, quiz, smtp_server, queued_tasks
):
    recruiter = _sign_in_recruiter(client)
    _response, one = _post_counting(recruiter, make_quiz(title="Другой"), 1)
    response, hundred = _post_counting(recruiter, quiz, 100)

    # The request wrote 100 invites and 100 emails, and talked to no mail server.
    # On SQLite a bulk insert is cut at 999 parameters, so 100 rows take two inserts per
    # table instead of one; nothing else is done per invite.
    assert hundred - one <= (2 if connection.vendor == "sqlite" else 0)
    assert hundred <= 15
    assert smtp_server.messages == []
    assert OutboundEmail.objects.filter(invite__quiz=quiz, state="queued").count() == 100
    # The page speaks the recruiter's language; the emails the candidates'.
    assert "Создано 100 приглашений; письма поставлены в очередь" in response.content.decode()
    queued_tasks()
    messages = smtp_server.wait_for(101)
    assert len(messages) == 101

    mine = [m for m in messages if "Python" in str(m["Subject"])]
    assert len(mine) == 100
    links = set()
    for message in mine:
        number = int(re.search(r"candidate(\d+)@", str(message["To"]))[1])
        # (A long encoded subject is folded onto its own line: unfolded, it keeps a space.)
        assert str(message["Subject"]).strip() == "Invitation to the test “Python <junior>”"
        text = text_of(message)
        assert f"Hello, Кандидат {number}!" in text
        (path,) = set(LINK.findall(text))
        assert path in html_of(message)
        links.add(path)
        # Each link opens its own candidate's start page (each from an address of its own:
        # the invite pages are rate-limited per address).
        visitor = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
        page = visitor.get(path, follow=True)
        assert page.status_code == 200
        assert f"Кандидат {number}" in page.content.decode()
    assert len(links) == 100
    assert OutboundEmail.objects.filter(state="sent").count() == 101


def test_bulk_without_email_queues_nothing(recruiter, quiz):
    response = _bulk(recruiter, quiz, lines=_candidates(3))
    assert response.status_code == 200
    assert Invite.objects.count() == 3 and OutboundEmail.objects.count() == 0
    assert "Скопируйте ссылки ниже" in response.content.decode()


def test_bulk_refuses_more_candidates_than_the_limit(recruiter, quiz):
    response = _bulk(recruiter, quiz, lines=_candidates(MAX_CANDIDATES + 1), send_email="on")
    assert f"лимит — {MAX_CANDIDATES}" in response.content.decode()
    assert Invite.objects.count() == 0 and OutboundEmail.objects.count() == 0


def test_a_pasted_line_too_long_is_refused_at_once(recruiter, quiz):
    # The line parser's pattern is quadratic in a run of spaces: 2 MB of them would take hours.
    started = time.monotonic()
    response = _bulk(recruiter, quiz, lines="a" + " " * 2_000_000 + "b@example.com")
    assert time.monotonic() - started < 5
    assert "Строка 1 слишком длинная" in response.content.decode()
    assert Invite.objects.count() == 0


# --- CSV upload -----------------------------------------------------------------------------


def _upload(client, quiz, content: bytes, name="candidates.csv", **fields):
    return _bulk(client, quiz, csv_file=SimpleUploadedFile(name, content, "text/csv"), **fields)


def test_a_csv_upload_creates_and_emails_its_candidates(
    recruiter, quiz, smtp_server, django_capture_on_commit_callbacks
):
    content = (
        "\ufeffname;email;expires\n"
        "Анна Иванова;anna@example.com;2031-01-31 18:00\n"
        "\n"
        "Bob;bob@example.com\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(recruiter, quiz, content, send_email="on")
    assert response.status_code == 200
    invites = {invite.candidate_email: invite for invite in Invite.objects.all()}
    assert set(invites) == {"anna@example.com", "bob@example.com"}
    assert invites["anna@example.com"].candidate_name == "Анна Иванова"
    assert f"{timezone.localtime(invites['anna@example.com'].expires_at):%Y-%m-%d %H:%M}" == (
        "2031-01-31 18:00"
    )
    assert invites["bob@example.com"].expires_at is None
    messages = smtp_server.wait_for(2)
    assert sorted(str(m["To"]) for m in messages) == ["anna@example.com", "bob@example.com"]


def test_a_comma_separated_csv_without_a_header_or_bom_works(recruiter, quiz):
    response = _upload(recruiter, quiz, b"Anna,anna@example.com\nBob,bob@example.com\n")
    assert response.status_code == 200
    assert Invite.objects.count() == 2 and OutboundEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"Anna,anna@example.com\nBob,not-an-email\n", "Строка 2: «not-an-email» — не адрес"),
        (b"Anna,anna@example.com,2031-01-01,extra\n", "Строка 1: столбцов — 4"),
        (b"anna@example.com\n", "Строка 1: столбцов — 1"),
        (b"Anna,anna@example.com,someday\n", "Строка 1: «someday» — не дата"),
        (b"Anna,anna@example.com,2001-01-01 10:00\n", "Строка 1: срок «2001-01-01 10:00» прошёл"),
        (b"A,a@example.com\nB,A@example.com\n", "Строка 2: A@example.com указан дважды"),
        ("Анна,anna@example.com\n".encode("cp1251"), "не в кодировке UTF-8"),
        (b"name,email\n", "В файле нет кандидатов"),
        (b"A,a@example.com\n" + b"x" * 200_000 + b",b@example.com\n", "Строка 2 не читается"),
    ],
)
def test_a_csv_with_errors_names_the_lines_and_creates_nothing(recruiter, quiz, content, error):
    response = _upload(recruiter, quiz, content)
    assert error in response.content.decode()
    assert Invite.objects.count() == 0


def test_a_csv_lists_at_most_twenty_line_errors(recruiter, quiz):
    content = b"A,a@example.com\n" + b"".join(b"x,bad%d\n" % n for n in range(50))
    html = _upload(recruiter, quiz, content).content.decode()
    assert "Строка 21:" in html and "Строка 22:" not in html
    assert "…и ещё 30 строк." in html


def test_a_csv_too_large_is_refused_before_it_is_read(recruiter, quiz):
    line = b"Candidate,someone@example.com\n"
    content = line * (BulkInviteForm.CSV_MAX_BYTES // len(line) + 1)
    response = _upload(recruiter, quiz, content)
    assert "Файл слишком большой" in response.content.decode()
    assert Invite.objects.count() == 0


def test_a_csv_and_a_paste_together_are_refused(recruiter, quiz):
    response = _upload(recruiter, quiz, b"A,a@example.com\n", lines="b@example.com")
    assert "не и то и другое" in response.content.decode()
    assert Invite.objects.count() == 0


# --- single invite, delivery state, resend ------------------------------------------------


def _add_one(client, quiz, **fields):
    return client.post(
        reverse("admin:quizzes_invite_add"),
        {
            "quiz": quiz.pk,
            "kind": "personal",
            "candidate_name": "Вера",
            "candidate_email": "vera@example.com",
            "max_uses": 1,
            "language": "ru",
            **fields,
        },
        follow=True,
    )


def test_one_invite_sent_by_email_from_the_add_form(
    recruiter, quiz, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _add_one(recruiter, quiz, send_email="on")
    assert "Приглашение для vera@example.com поставлено в очередь" in response.content.decode()
    (message,) = smtp_server.wait_for(1)
    invite = Invite.objects.get()
    assert f"{SITE}/invite/{invite.token}/" in text_of(message)
    assert "Здравствуйте, Вера!" in text_of(message)
    page = recruiter.get(reverse("admin:quizzes_invite_changelist")).content.decode()
    assert '<td class="field-email_delivery">Отправлено</td>' in page


def test_a_shared_link_cannot_be_sent_by_email(recruiter, quiz):
    response = _add_one(
        recruiter, quiz, kind="shared", candidate_name="", candidate_email="", send_email="on"
    )
    assert "Общая ссылка никого не называет" in response.content.decode()
    assert Invite.objects.count() == 0 and OutboundEmail.objects.count() == 0


def test_an_invite_added_without_email_sends_none(recruiter, quiz):
    _add_one(recruiter, quiz)
    assert Invite.objects.count() == 1 and OutboundEmail.objects.count() == 0


def test_smtp_down_shows_failed_with_the_error_and_resend_delivers(
    recruiter, quiz, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_MAX_TRIES = 1
    smtp_server.stop()
    invite = create_invites(
        quiz=quiz,
        entries=[InviteEntry("Вера", "vera@example.com")],
        send_email=True,
    )[0]
    mail.deliver_due()
    email = OutboundEmail.objects.get()
    assert email.state == "failed" and "Connection" in email.last_error

    changelist = reverse("admin:quizzes_invite_changelist")
    page = recruiter.get(changelist).content.decode()
    assert "Ошибка: ConnectionRefusedError" in page
    detail = recruiter.get(reverse("admin:quizzes_invite_change", args=[invite.pk]))
    assert "Приглашение · Ошибка: ConnectionRefusedError" in detail.content.decode()

    smtp_server.start()
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter.post(
            changelist,
            {"action": "resend_invitation", "_selected_action": [invite.pk]},
            follow=True,
        )
    assert "1 приглашение поставлено в очередь." in response.content.decode()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "vera@example.com"
    page = recruiter.get(changelist).content.decode()
    assert '<td class="field-email_delivery">Отправлено</td>' in page


def test_an_invite_whose_email_will_be_retried_shows_the_error_meanwhile(
    recruiter, quiz, smtp_server, settings
):
    # Ten tries take hours: the recruiter learns at once that the server refuses.
    settings.EMAIL_MAX_TRIES = 10
    smtp_server.stop()
    invite = create_invites(
        quiz=quiz, entries=[InviteEntry("Вера", "vera@example.com")], send_email=True
    )[0]
    mail.deliver_due()
    email = OutboundEmail.objects.get()
    assert email.state == "queued" and "Connection" in email.last_error

    page = recruiter.get(reverse("admin:quizzes_invite_changelist")).content.decode()
    assert "В очереди, повтор после ошибки: ConnectionRefusedError" in page
    detail = recruiter.get(reverse("admin:quizzes_invite_change", args=[invite.pk]))
    assert "В очереди, повтор после ошибки: ConnectionRefusedError" in detail.content.decode()


def test_resend_skips_shared_links(recruiter, quiz):
    shared = Invite.objects.create(quiz=quiz, kind="shared", max_uses=10)
    response = recruiter.post(
        reverse("admin:quizzes_invite_changelist"),
        {"action": "resend_invitation", "_selected_action": [shared.pk]},
        follow=True,
    )
    assert "Общие ссылки никого не называют" in response.content.decode()
    assert OutboundEmail.objects.count() == 0


def test_the_invite_list_reads_delivery_in_a_constant_number_of_queries(recruiter, quiz):
    def count_for(n):
        Invite.objects.all().delete()
        create_invites(
            quiz=quiz,
            entries=[InviteEntry("", f"c{i}@example.com") for i in range(n)],
            send_email=True,
        )
        with CaptureQueriesContext(connection) as queries:
            response = recruiter.get(reverse("admin:quizzes_invite_changelist"))
        assert response.content.decode().count("В очереди") >= n
        return len(queries)

    assert count_for(1) == count_for(20)


# --- the outbox admin -----------------------------------------------------------------------


def test_the_outbox_lists_failed_emails_and_sends_them_again(
    recruiter, quiz, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_MAX_TRIES = 1
    smtp_server.stop()
    mail.queue_email(kind="invitation", to="x@example.com", subject="Тема", body_text="Текст")
    mail.deliver_due()
    smtp_server.start()
    changelist = reverse("admin:quizzes_outboundemail_changelist")
    page = recruiter.get(changelist + "?state__exact=failed").content.decode()
    assert "x@example.com" in page and "ConnectionRefusedError" in page
    failed = OutboundEmail.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter.post(
            changelist, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True
        )
    assert "1 письмо снова поставлено в очередь." in response.content.decode()
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Тема"
    assert (
        recruiter.get(changelist + "?q=nobody%40example.com")
        .content.decode()
        .count("x@example.com")
        == 0
    )
