"""In-process CPU per request for the candidate pages, and the corpus import rate.

Runs the real views through django.test.Client (full middleware stack, production
settings) against a small PostgreSQL database that it drops and recreates, so a change can
be measured in a minute without gunicorn or wrk:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qs_bench_cand \
        python -m bench.profile_candidate [--requests 40] [--profile "attempt page"]

CPU is this process's (Python + the database driver), not PostgreSQL's. `--profile NAME`
prints the top of a cProfile of that endpoint
(sorted by PROFILE_SORT, default cumulative; e.g. tottime).

`--cold` makes every request the first view of its content, as for the first candidate on a
freshly started worker: before each request it empties Django's cache, the attempt page's
question blocks and, where the code base has one, the markdown renderer's in-process cache
(`quizzes.rendering._render`, request-time rendering before issue 13). Only the requests
are timed, not the emptying.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

from bench.load import ROOT
from bench.run import DEFAULT_URL, STATIC_ROOT, reset_database, setup_django

# The reference the targets are stated against: the full middleware stack, no
# database, no session (quizsite.health.healthz), measured in the same run.
BARE = "bare view"
ENDPOINTS = [
    "quiz page",
    "start POST",
    "attempt page",
    "autosave POST",
    "submit POST",
    "result page",
]


def measure(requests: int, profile: str | None, cold: bool = False) -> dict[str, float]:
    """Mean CPU ms per request of each endpoint."""
    return {
        name: result["mean_ms"]
        for name, result in measure_detailed(requests, profile, cold).items()
    }


def measure_detailed(
    requests: int, profile: str | None = None, cold: bool = False
) -> dict[str, dict[str, float]]:
    """Per endpoint: median and mean CPU ms over `requests` timed requests, and the number
    of queries of one more request (untimed, under CaptureQueriesContext)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench import prepare, seed
    from quizzes import rendering

    try:
        from quizzes.selectors import answering
    except ImportError:  # before issue 19
        answering = None
    from quizzes.models import Attempt
    from quizzes.services.attempts import submit_attempt
    from quizzes.templatetags import quizzes_tags

    def empty_caches() -> None:
        cache.clear()
        # The attempt page's cached markup: per question before issue 19, then the page
        # kit and frames (quizzes/views/attempt_page.py); either tree may be measured.
        blocks = getattr(quizzes_tags, "_BLOCKS", None)
        if blocks is not None:
            blocks.clear()
        try:
            from quizzes.views import attempt_page
        except ImportError:
            pass
        else:
            attempt_page.KITS.clear()
            attempt_page.FRAMES.clear()
        # Request-time rendering (before issue 13) kept rendered markdown in an lru_cache.
        render_cache = getattr(rendering, "_render", None)
        if render_cache is not None:
            render_cache.cache_clear()
        # The revisions' answer keys of saves and submits (issue 19), where the code has them.
        if answering is not None:
            answering.forget_answer_keys()

    quiz = seed.build_quiz()
    attempts = prepare.new_attempts(quiz, 3 * requests + 4)
    keys = prepare.sessions_for(attempts)
    pool = list(zip(attempts, keys, strict=True))
    csrf = prepare.csrf_secret()
    finished, finished_key = pool.pop()
    submit_attempt(attempt_id=finished.pk, selections={})
    viewed, viewed_key = pool.pop()

    # One client (one handler, middleware loaded once, as in a gunicorn worker); each
    # request carries its own attempt's session cookie.
    shared = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    shared.cookies["csrftoken"] = csrf

    def client(key: str) -> str:
        return key

    def body(kind, attempt):
        text = (prepare.answer_body if kind == "submit" else prepare.autosave_body)(attempt, csrf)
        return text

    # One more than timed of each: the last request is the one whose queries are counted.
    submit = [(a, k) for a, k in pool[: requests + 1]]
    autosave = [(a, k) for a, k in pool[requests + 1 : 2 * requests + 2]]
    quiz_url = reverse("quizzes:quiz_detail", args=[quiz.slug])
    for attempt in Attempt.objects.filter(pk__in=[a.pk for a, _ in submit + autosave]):
        attempt.revision  # noqa: B018 - bodies read the revision content
    calls = {
        BARE: [(None, "get", "/healthz/", None)] * (requests + 1),
        "quiz page": [
            (client(viewed_key), "get", reverse("quizzes:quiz_detail", args=[quiz.slug]), None)
        ]
        * (requests + 1),
        # Each start as a new visitor (no session, no browser cookie): a new attempt.
        "start POST": [
            (
                None,
                "post",
                quiz_url,
                f"csrfmiddlewaretoken={csrf}&candidate_name=Bench+Starter+{n}"
                f"&candidate_email=starter-{n}%40bench.example",
            )
            for n in range(requests + 1)
        ],
        "attempt page": [(client(viewed_key), "get", viewed.get_absolute_url(), None)]
        * (requests + 1),
        "autosave POST": [
            (
                client(key),
                "post",
                reverse("quizzes:autosave", kwargs={"public_id": a.public_id}),
                body("autosave", a),
            )
            for a, key in autosave
        ],
        "submit POST": [
            (client(key), "post", a.get_absolute_url(), body("submit", a)) for a, key in submit
        ],
        "result page": [
            (
                client(finished_key),
                "get",
                reverse("quizzes:result", kwargs={"public_id": finished.public_id}),
                None,
            )
        ]
        * (requests + 1),
    }

    def send(method: str, url: str, data: str | None):
        if method == "get":
            return shared.get(url)
        return shared.post(url, data, content_type="application/x-www-form-urlencoded")

    results = {}
    for name in [BARE, *ENDPOINTS]:
        todo = calls[name]
        # Warm-up (imports, template loading, caches) with a request that changes nothing.
        key, method, url, _ = todo[0]
        if method == "get":
            shared.cookies["sessionid"] = key
            shared.get(url)
        profiler = cProfile.Profile() if name == profile else None
        if profiler:
            profiler.enable()
        samples = []
        *timed, counted = todo
        for index, (key, method, url, data) in enumerate([*timed, counted]):
            if cold:
                # Every request as the first view of its content: nothing rendered cached.
                empty_caches()
            if key is None:
                for cookie in list(shared.cookies):
                    if cookie != "csrftoken":
                        del shared.cookies[cookie]
            else:
                shared.cookies["sessionid"] = key
            if index == len(timed):
                if profiler:
                    profiler.disable()
                with CaptureQueriesContext(connection) as queries:
                    response = send(method, url, data)
            else:
                started = time.process_time()
                response = send(method, url, data)
                samples.append((time.process_time() - started) * 1000)
            if response.status_code >= 400 or (
                name == "start POST" and response.status_code != 302
            ):
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
        results[name] = {
            "median_ms": statistics.median(samples),
            "mean_ms": statistics.fmean(samples),
            "queries": len(queries.captured_queries),
        }
        if profiler:
            pstats.Stats(profiler).sort_stats(
                os.environ.get("PROFILE_SORT", "cumulative")
            ).print_stats(45)
    return results


def prepare_database(url: str) -> str:
    """Recreate the database at `url` (never the shared qs_bench), set Django up with
    production settings over it, migrate and collect static files; returns `url`."""
    if url.rstrip("/").endswith("/qs_bench"):
        raise SystemExit("use a database of your own (BENCH_DATABASE_URL), not qs_bench")
    from bench.load import server_environment

    reset_database(url)
    # Huey's SQLite queue lives in DATA_DIR, which settings create only for SQLite databases.
    (ROOT / "var").mkdir(exist_ok=True)
    setup_django(server_environment(url, STATIC_ROOT, 0))
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not (STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", "--no-input", verbosity=0)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--profile", choices=[BARE, *ENDPOINTS])
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty the rendering and page fragment caches before each request (not timed)",
    )
    parser.add_argument("--no-import", action="store_true", help="skip the corpus import")
    args = parser.parse_args()
    url = prepare_database(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    cold = ", caches emptied before each request" if args.cold else ""
    print(f"in-process CPU ms per request, {args.requests} requests each{cold} ({url})")
    measured = measure(args.requests, args.profile, args.cold)
    print(f"  {'':<15} {'CPU ms':>7}  × bare (bare view's CPU / this one's)")
    for name, ms in measured.items():
        print(f"  {name:<15} {ms:7.1f}  {measured[BARE] / ms:5.2f}")
    if not args.no_import:
        from bench import offline

        first = offline.corpus_import()
        again = offline.corpus_import()
        for label, result in (("corpus import", first), ("re-import", again)):
            if "skipped" in result:
                print(f"  {label}: skipped ({result['skipped']})")
            else:
                print(
                    f"  {label}: {result['questions']:,} questions in {result['seconds']} s, "
                    f"{result['questions_per_second']:,} q/s "
                    f"(parse alone {result['parse_questions_per_second']:,} q/s)"
                )


if __name__ == "__main__":
    assert ROOT.is_dir()
    main()
