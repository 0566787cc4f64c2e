"""A real gunicorn killed with SIGKILL mid-attempt loses nothing the candidate saved."""

import json
import re
import signal
import sqlite3
import urllib.parse
from pathlib import Path

from quizzes.opaque import Tokens
from tests.security.live_site import Browser, Site


def autosave_half(browser: Browser, path: str, page: str) -> dict[str, list[str]]:
    """Answer the first half of the questions through the page's background save.

    Returns what was sent as the page names it: question token -> option tokens.
    """
    options: dict[str, list[str]] = {}
    for question, option in re.findall(r'<input[^>]*name="q_(\w+)"[^>]*value="(\w+)"', page):
        options.setdefault(question, []).append(option)
    assert len(options) >= 2, page[:1000]
    half = list(options.items())[: (len(options) + 1) // 2]
    answers = {question: [tokens[0]] for question, tokens in half}
    for seq, (question, tokens) in enumerate(answers.items(), start=1):
        status, _, body = browser.post(
            f"{path}autosave/",
            [(f"q_{question}", tokens[0]), ("shown", question), ("seq", str(seq))],
        )
        assert status == 200 and json.loads(body)["saved"] is True, body
    return answers


def stored_state(database: Path, public_id: str) -> dict:
    """Read the attempt straight from the database file, through a separate connection.

    Answers are given in the attempt's page tokens, to compare with what was sent.
    """
    with sqlite3.connect(database) as connection:
        attempt_pk, deadline, state, key = connection.execute(
            "SELECT id, deadline, state, token_key FROM quizzes_attempt WHERE public_id = ?",
            [public_id.replace("-", "")],
        ).fetchone()
        tokens = Tokens(key)
        assert tokens.opaque
        answers = {
            tokens.question(question_id): sorted(tokens.option(o) for o in json.loads(selected))
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
        for option_tokens in answers.values():
            for option_token in option_tokens:
                assert re.search(rf'value="{option_token}"[^>]*checked', page), option_token
    finally:
        site.kill(signal.SIGTERM)
