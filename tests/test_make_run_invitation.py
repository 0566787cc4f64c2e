"""`make run` with nothing configured prints an invitation email in its output.

The same processes as the Makefile's `run` target, on a fresh data folder: SQLite for the
site and the task queue, no EMAIL_HOST (so the console backend), a `run_huey` consumer, and
an invite created with "send by email" in another process, as the admin would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CREATE_INVITE = """
from quizzes.candidates import InviteEntry
from quizzes.models import Quiz
from quizzes.services.invites import create_invites
quiz = Quiz.objects.create(title="Проверка make run", slug="make-run", published=True)
(invite,) = create_invites(
    quiz=quiz, entries=[InviteEntry("Нина", "nina@example.com")], send_email=True
)
print("LINK", invite.get_absolute_url())
"""


def _env(data_dir: Path) -> dict[str, str]:
    configured = {
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_HOST",
        "EMAIL_BACKEND",
        "HUEY_IMMEDIATE",
        "SITE_URL",
        "HUEY_QUEUE",
    }
    env = {key: value for key, value in os.environ.items() if key not in configured}
    env.update(
        DJANGO_SETTINGS_MODULE="quizsite.settings",
        DEBUG="1",
        DATA_DIR=str(data_dir),
        PORT="8123",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env, *args, timeout=60) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_worker_of_make_run_prints_the_invitation(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--no-input")
    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        created = _manage(env, "shell", "-c", CREATE_INVITE)
        path = created.split("LINK ", 1)[1].strip()
        output = b""
        os.set_blocking(consumer.stdout.fileno(), False)  # type: ignore[union-attr]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            output += consumer.stdout.read() or b""  # type: ignore[union-attr]
            if path.encode() in output:
                break
            time.sleep(0.2)
    finally:
        consumer.terminate()
        rest = consumer.communicate(timeout=15)[0] or b""
    text = (output + rest).decode("utf-8", errors="replace")
    assert "To: nina@example.com" in text, text[-3000:]
    assert f"http://127.0.0.1:8123{path}" in text, text[-3000:]
