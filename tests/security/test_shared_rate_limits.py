"""Rate limits hold across gunicorn workers and restarts, without Redis.

Each worker is its own process: counters kept in process memory would give a client one
allowance per worker (4 workers let 94 starts through a limit of 30). Without REDIS_URL the
counters live in a database table that every worker reads and that outlives a restart.
"""

import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.security.live_site import Browser, Site

LIMIT = 5
WORKERS = 4
REQUESTS = 6 * WORKERS
# A day-long window, so that no window boundary falls inside the test and resets the count.
RATE = f"{LIMIT}/d"


def start_attempt(browser: Browser, n: int, barrier: threading.Barrier | None = None) -> int:
    """Press Start as a new candidate; 200 once redirected to the attempt, 429 when refused."""
    if barrier:
        barrier.wait(timeout=30)
    status, url, _ = browser.post(
        "/quiz/limits/", [("candidate_name", f"Кандидат {n}"), ("candidate_email", f"c{n}@ex.com")]
    )
    assert status == 429 or (status == 200 and "/attempt/" in url), (status, url)
    return status


def new_browser(site: Site) -> Browser:
    browser = Browser(site)
    browser.get("/quiz/limits/")  # the CSRF cookie
    return browser


def stored_attempts(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM quizzes_attempt").fetchone()[0]


def workers_that_served_starts(access_log: Path) -> set[str]:
    lines = access_log.read_text().splitlines()
    return {pid for pid, method, path in (line.split()[:3] for line in lines)
            if method == "POST" and path == "/quiz/limits/"}  # fmt: skip


def press_start_at_once(site: Site) -> list[int]:
    """Separate browsers (sessions), all from 127.0.0.1, pressing Start at the same moment."""
    browsers = [new_browser(site) for _ in range(REQUESTS)]
    barrier = threading.Barrier(REQUESTS)
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        starts = pool.map(start_attempt, browsers, range(REQUESTS), [barrier] * REQUESTS)
        return list(starts)


def test_four_workers_without_redis_accept_exactly_the_limit_from_one_address(tmp_path):
    # Bounded in time: every command, request and wait below has its own timeout.
    site = Site(tmp_path, env={"RATE_LIMIT_START": RATE})
    site.prepare()
    site.manage(
        "shell",
        "-c",
        "from tests.builders import make_quiz; make_quiz(access='public', slug='limits')",
    )
    access_log = tmp_path / "access.log"
    try:
        site.start(workers=WORKERS, access_log=access_log)
        statuses = press_start_at_once(site)
        # On a busy machine one worker may take the whole burst; more starts, each refused
        # now, until a second worker has answered one (a worker counting on its own would
        # accept it).
        deadline = time.monotonic() + 60
        while len(workers_that_served_starts(access_log)) < 2 and time.monotonic() < deadline:
            statuses.append(start_attempt(new_browser(site), len(statuses)))

        assert len(workers_that_served_starts(access_log)) >= 2, access_log.read_text()
        assert statuses.count(200) == LIMIT
        assert statuses.count(429) == len(statuses) - LIMIT
        assert stored_attempts(site.database) == LIMIT

        # Restarted workers still know how many starts this address has used.
        site.kill(signal.SIGTERM)
        site.start(workers=WORKERS)
        assert start_attempt(new_browser(site), len(statuses)) == 429
        assert stored_attempts(site.database) == LIMIT
    finally:
        site.kill(signal.SIGTERM)
