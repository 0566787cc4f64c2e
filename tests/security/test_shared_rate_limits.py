"""Rate limits hold across gunicorn workers and restarts, without Redis.

Each worker is its own process: counters kept in process memory would give a client one
allowance per worker (4 workers let 94 starts through a limit of 30). Without REDIS_URL the
counters live in a database table that every worker reads and that outlives a restart.
"""

import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.security.live_site import Browser, Site

LIMIT = 5
WORKERS = 4
REQUESTS = 6 * WORKERS
# A day-long window, so that no window boundary falls inside the test and resets the count.
RATE = f"{LIMIT}/d"


def start_attempt(browser: Browser, n: int) -> int:
    """Press Start as a new candidate; 200 once redirected to the attempt, 429 when refused."""
    status, url, _ = browser.post(
        "/quiz/limits/", [("candidate_name", f"Кандидат {n}"), ("candidate_email", f"c{n}@ex.com")]
    )
    assert status == 429 or (status == 200 and "/attempt/" in url), (status, url)
    return status


def stored_attempts(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM quizzes_attempt").fetchone()[0]


def workers_that_served_starts(access_log: Path) -> set[str]:
    lines = access_log.read_text().splitlines()
    return {pid for pid, method, path in (line.split()[:3] for line in lines)
            if method == "POST" and path == "/quiz/limits/"}  # fmt: skip


def test_four_workers_without_redis_accept_exactly_the_limit_from_one_address(tmp_path):
    began = time.monotonic()
    site = Site(tmp_path, env={"RATE_LIMIT_START": RATE})
    site.prepare()
    site.manage("shell", "-c", "from tests.builders import make_quiz; make_quiz(slug='limits')")
    access_log = tmp_path / "access.log"
    try:
        site.start(workers=WORKERS, access_log=access_log)
        # Separate browsers (sessions), all from 127.0.0.1, pressing Start at the same moment.
        browsers = [Browser(site) for _ in range(REQUESTS)]
        for browser in browsers:
            browser.get("/quiz/limits/")
        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            statuses = list(pool.map(start_attempt, browsers, range(REQUESTS), timeout=90))

        assert statuses.count(200) == LIMIT
        assert statuses.count(429) == REQUESTS - LIMIT
        assert stored_attempts(site.database) == LIMIT
        # The requests really were spread over the workers, not served by one of them.
        assert len(workers_that_served_starts(access_log)) >= 2, access_log.read_text()

        # Restarted workers still know how many starts this address has used.
        site.kill(signal.SIGTERM)
        site.start(workers=WORKERS)
        late = Browser(site)
        late.get("/quiz/limits/")
        assert start_attempt(late, REQUESTS) == 429
        assert stored_attempts(site.database) == LIMIT
    finally:
        site.kill(signal.SIGTERM)
    assert time.monotonic() - began < 240
