"""A real gunicorn killed with SIGKILL mid-attempt loses nothing the candidate saved."""

import json
import re
import signal
import sqlite3
import urllib.parse
from pathlib import Path

from tests.security.live_site import Browser, Site


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
    site.prepare()
    site.manage(
        "shell",
        "-c",
        "from datetime import timedelta; from tests.builders import make_quiz; "
        "make_quiz(title='Crash', slug='crash', time_limit=timedelta(minutes=30))",
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
