"""A real gunicorn killed with SIGKILL mid-attempt loses nothing the candidate saved."""

import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PORTS = range(18100, 18200)  # this test's own port range on the shared machine


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    # All taken: any port the system hands out will do.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """The project served by gunicorn from a temporary SQLite file, as in production."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.database = folder / "site.sqlite3"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        } | {
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DATA_DIR": str(folder),
            "STATIC_ROOT": str(folder / "static"),
            "SECRET_KEY": "crash-test-secret-key-crash-test-secret-key",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no HTTPS redirect, cookies without the Secure flag.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.process: subprocess.Popen | None = None
        self.port = free_port()

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "quizsite.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--log-level", "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: killed together, nothing else
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/"), timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None:
                    raise AssertionError(self.process.stderr.read().decode()) from None
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer within 30 s")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, forms."""

    def __init__(self, site: Site):
        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.site.url(path), timeout=10) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, str, str]:
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        data = urllib.parse.urlencode([("csrfmiddlewaretoken", token), *fields]).encode()
        request = urllib.request.Request(
            self.site.url(path),
            data=data,
            headers={"X-CSRFToken": token, "Referer": self.site.url(path)},
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()


def autosave_half(browser: Browser, path: str, page: str) -> dict[int, list[int]]:
    """Answer the first half of the questions through the page's background save."""
    options: dict[int, list[int]] = {}
    for question_id, option_id in re.findall(r'<input[^>]*name="q_(\d+)"[^>]*value="(\d+)"', page):
        options.setdefault(int(question_id), []).append(int(option_id))
    assert len(options) >= 2, page[:1000]
    half = list(options.items())[: (len(options) + 1) // 2]
    answers = {question_id: [ids[0]] for question_id, ids in half}
    for seq, (question_id, ids) in enumerate(answers.items(), start=1):
        status, _, body = browser.post(
            f"{path}autosave/",
            [(f"q_{question_id}", str(ids[0])), ("shown", str(question_id)), ("seq", str(seq))],
        )
        assert status == 200 and json.loads(body)["saved"] is True, body
    return answers


def stored_state(database: Path, public_id: str) -> dict:
    """Read the attempt straight from the database file, through a separate connection."""
    with sqlite3.connect(database) as connection:
        attempt_pk, deadline, state = connection.execute(
            "SELECT id, deadline, state FROM quizzes_attempt WHERE public_id = ?",
            [public_id.replace("-", "")],
        ).fetchone()
        answers = {
            question_id: sorted(json.loads(selected))
            for question_id, selected in connection.execute(
                "SELECT question_id, selected FROM quizzes_answer WHERE attempt_id = ?",
                [attempt_pk],
            )
        }
    return {"deadline": deadline, "state": state, "answers": answers}


def test_sigkill_mid_attempt_loses_no_saved_answer_and_keeps_the_deadline(tmp_path):
    site = Site(tmp_path)
    site.manage("migrate", "--no-input", "-v", "0")
    site.manage("collectstatic", "--no-input", "-v", "0")
    site.manage(
        "shell",
        "-c",
        "from datetime import timedelta; from tests.builders import make_quiz; "
        "make_quiz(title='Crash', slug='crash', access='public', "
        "time_limit=timedelta(minutes=30))",
    )
    browser = Browser(site)
    try:
        site.start()
        browser.get("/quiz/crash/")
        status, attempt_url, page = browser.post(
            "/quiz/crash/",
            [("candidate_name", "Анна"), ("candidate_email", "anna@example.com")],
        )
        assert status == 200 and "/attempt/" in attempt_url, page[:500]
        path = urllib.parse.urlparse(attempt_url).path
        public_id = re.search(r"/attempt/([0-9a-f-]{36})/", path).group(1)
        answers = autosave_half(browser, path, page)
        before = stored_state(site.database, public_id)
        assert before["answers"] == answers and before["deadline"]

        site.kill(signal.SIGKILL)
        assert stored_state(site.database, public_id) == before
        site.start()

        _, page = browser.get(path)
        after = stored_state(site.database, public_id)
        assert after == before
        assert after["state"] == "in_progress"
        for option_ids in answers.values():
            for option_id in option_ids:
                assert re.search(rf'value="{option_id}"[^>]*checked', page), option_id
    finally:
        site.kill(signal.SIGTERM)
