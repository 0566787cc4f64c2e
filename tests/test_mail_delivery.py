"""The outbox and its delivery, against a real SMTP server (tests/mail.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from quizzes.models import OutboundEmail
from quizzes.services import mail
from tests.mail import free_port, html_of, text_of

ROOT = Path(__file__).resolve().parent.parent


def _email(n: int, **fields) -> OutboundEmail:
    return OutboundEmail(
        kind=OutboundEmail.Kind.INVITATION,
        to=f"candidate{n}@example.com",
        subject=f"Приглашение {n}",
        body_text=f"Ссылка {n}",
        body_html=f"<p>Ссылка {n}</p>",
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_is_sent_after_commit_as_text_and_html(smtp_server):
    with transaction.atomic():
        mail.queue_emails([_email(1)])
        assert smtp_server.messages == []  # nothing leaves before the commit

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "candidate1@example.com"
    assert message["Subject"] == "Приглашение 1"
    assert text_of(message).strip() == "Ссылка 1"
    assert html_of(message).strip() == "<p>Ссылка 1</p>"
    row = OutboundEmail.objects.get()
    assert row.state == OutboundEmail.State.SENT
    assert row.tries == 1 and row.sent_at is not None
    assert message["Message-ID"] == row.message_id


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_work_that_rolled_back(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.queue_emails([_email(1)])
        raise RuntimeError
    assert OutboundEmail.objects.count() == 0
    mail.deliver_due()
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_up_delivers_every_message_exactly_once(smtp_server):
    smtp_server.stop()
    mail.queue_emails([_email(n) for n in range(20)])  # its delivery run fails them all

    rows = OutboundEmail.objects.all()
    assert {row.state for row in rows} == {OutboundEmail.State.QUEUED}
    assert {row.tries for row in rows} == {1}
    assert all("Connection" in row.last_error or "refused" in row.last_error for row in rows)
    # Before the pause is over nothing is tried again, even with the server back.
    smtp_server.start()
    assert mail.deliver_due().sent == 0

    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=1)):
        report = mail.deliver_due()
    assert report.sent == 20
    # Further runs (the periodic one, a second consumer) send nothing again.
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert mail.deliver_due().sent == 0
    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == sorted(f"candidate{n}@example.com" for n in range(20))
    assert OutboundEmail.objects.filter(state=OutboundEmail.State.SENT).count() == 20


@pytest.mark.django_db(transaction=True)
def test_pauses_between_tries_double_and_the_last_try_marks_it_failed(smtp_server, settings):
    settings.EMAIL_MAX_TRIES = 4
    smtp_server.stop()
    start = timezone.now()
    mail.queue_emails([_email(1)])
    pauses = []
    for _ in range(3):
        row = OutboundEmail.objects.get()
        pauses.append(round((row.next_try_at - start).total_seconds() / 60))
        with time_machine.travel(row.next_try_at + timedelta(seconds=1)):
            start = timezone.now()
            mail.deliver_due()
    row = OutboundEmail.objects.get()
    assert pauses == [1, 2, 4]
    assert row.state == OutboundEmail.State.FAILED
    assert row.tries == 4
    assert row.last_error


@pytest.mark.django_db(transaction=True)
def test_a_recipient_the_server_refuses_is_reported_with_the_servers_words(settings):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 No such mailbox here"

    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        mail.queue_emails([_email(1)])
    finally:
        controller.stop()
    row = OutboundEmail.objects.get()
    assert "No such mailbox here" in row.last_error
    assert row.state == OutboundEmail.State.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_row_a_stopped_worker_left_sending_is_never_sent_again(smtp_server):
    # A worker claimed it and died before it could record the outcome.
    email = _email(1, message_id=mail.new_message_id())
    email.state, email.claimed_at, email.tries = OutboundEmail.State.SENDING, timezone.now(), 1
    email.save()
    assert mail.deliver_due().sent == 0
    with time_machine.travel(timezone.now() + mail.SENDING_TIMEOUT + timedelta(seconds=1)):
        report = mail.deliver_due()
    assert report.unknown == 1 and report.sent == 0
    row = OutboundEmail.objects.get()
    assert row.state == OutboundEmail.State.FAILED
    assert row.last_error
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_once_keys_queue_an_email_only_once(smtp_server):
    assert mail.queue_email(**_fields(1), once_key="reminder:1") is not None
    assert mail.queue_email(**_fields(2), once_key="reminder:1") is None
    smtp_server.wait_for(1)
    assert OutboundEmail.objects.count() == 1
    assert smtp_server.messages[0]["To"] == "candidate1@example.com"


def _fields(n: int) -> dict:
    return {
        "kind": OutboundEmail.Kind.REMINDER,
        "to": f"candidate{n}@example.com",
        "subject": "s",
        "body_text": "t",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_message_once(smtp_server):
    smtp_server.stop()
    mail.queue_emails([_email(n) for n in range(60)])
    smtp_server.start()
    errors = []

    def worker():
        try:
            mail.deliver_due(now=timezone.now() + timedelta(minutes=5))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(smtp_server.messages) == 60
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_consumer_process_on_redis_delivers_the_queue(smtp_server):
    """The production shape: PostgreSQL, a Redis queue and `manage.py run_huey`."""
    from huey import RedisHuey

    queue_name = f"quizsite-test-{uuid.uuid4().hex[:8]}"
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    # Written as the web process would, with the queue down to nothing in between.
    OutboundEmail.objects.bulk_create(
        [_email(n, message_id=mail.new_message_id()) for n in range(5)]
    )
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quizsite.settings",
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "HUEY_QUEUE": queue_name,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_USE_TLS": "0",
    }
    queue = RedisHuey(queue_name, url=redis_url)
    # Queued by another process with the production settings, as a web request does.
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from quizzes.tasks import deliver_emails; deliver_emails()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    assert len(queue) == 1 and smtp_server.messages == []
    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        smtp_server.wait_for(5, timeout=60)
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=30)[0].decode()
        queue.storage.flush_all()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        f"candidate{n}@example.com" for n in range(5)
    ), output
    assert OutboundEmail.objects.filter(state=OutboundEmail.State.SENT).count() == 5


def test_the_development_backend_prints_subject_recipient_and_text_readably():
    import io

    from quizzes.console_mail import EmailBackend

    stream = io.StringIO()
    email = _email(7, message_id="<1@quiz.example.com>")
    EmailBackend(stream=stream).send_messages([mail.build_message(email)])
    printed = stream.getvalue()
    assert "To: candidate7@example.com" in printed
    assert "Subject: Приглашение 7" in printed  # not base64
    assert "Message-ID: <1@quiz.example.com>" in printed
    assert "Also as: text/html" in printed
    assert "Ссылка 7" in printed and "<p>" not in printed


def test_the_sqlite_queue_finds_its_folder_with_postgresql_and_a_fresh_data_dir(tmp_path):
    """Without REDIS_URL the queue is a file in DATA_DIR, also when the database is not."""
    data_dir = tmp_path / "fresh" / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quizsite.settings",
        "DEBUG": "1",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        "REDIS_URL": "",
    }
    code = (
        "from huey.contrib.djhuey import HUEY; HUEY.storage.enqueue(b'x'); "
        "print(HUEY.storage.queue_size())"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("1")
    assert (data_dir / "tasks.sqlite3").exists()
