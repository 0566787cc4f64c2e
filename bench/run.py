"""`make bench`: seed PostgreSQL, serve with gunicorn, load-test each endpoint, print a table.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qs_bench; the
database is dropped and recreated), BENCH_ATTEMPTS (100000), BENCH_SECONDS per endpoint (10),
BENCH_CONNECTIONS (16), BENCH_PORT (18000), BENCH_SUBMIT_POOL (20000), BENCH_LOADGEN
(wrk|python; default wrk when installed), BENCH_SKIP_LOAD=1 (seed, then only the offline
measurements: import, statistics, exports).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from bench.load import ROOT, gunicorn, run_python, run_wrk, server_environment, wrk_available
from bench.report import BARE, EndpointResult, add_ratios, format_table

RESULTS = ROOT / "bench" / "results"
# Collected static files: in var/ (git-ignored, skipped by the source scans), not in results/.
STATIC_ROOT = ROOT / "var" / "bench-static"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qs_bench"
WARM_POOL = 2000
TARGETS = {"attempt page": 0.5, "submit POST": 0.25}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def reset_database(url: str) -> None:
    """Drop and recreate the benchmark database (never the one the URL doesn't name)."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to reset database {name!r}")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    attempts = env_int("BENCH_ATTEMPTS", 100_000)
    seconds = env_int("BENCH_SECONDS", 10)
    connections = env_int("BENCH_CONNECTIONS", 16)
    port = env_int("BENCH_PORT", 18000)
    pool = env_int("BENCH_SUBMIT_POOL", 20_000) + WARM_POOL
    loadgen = os.environ.get("BENCH_LOADGEN") or ("wrk" if wrk_available() else "python")
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = server_environment(url, STATIC_ROOT, port)
    print(
        f"quizsite benchmark: {url}, {attempts:,} attempts, {seconds} s per endpoint, "
        f"{connections} connections, load generator: {loadgen}"
    )
    if loadgen == "python":
        print(
            "  (wrk is not installed: using the asyncio + httpx load generator, which is "
            "slower than wrk and shares the CPU with the server)"
        )

    print("1. database: reset, migrate, collectstatic")
    reset_database(url)
    setup_django(env)
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)

    from bench import offline, prepare, seed

    print(f"2. seeding 1 quiz × 40 questions × 5 options and {attempts:,} submitted attempts")
    quiz = seed.build_quiz()
    seeded = seed.seed_attempts(quiz, attempts=attempts)
    print(
        f"   {seeded.attempts:,} attempts + {seeded.answers:,} answers in "
        f"{seeded.seconds:.1f} s via {seeded.method} ({seeded.rows_per_second:,.0f} rows/s)"
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: visibility hint bits set once (else the
        # first query to read the rows writes them all), planner statistics (and the n-distinct
        # statistics the statistics page's aggregate is planned with) for the seeded rows.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    results: list[EndpointResult] = []
    lists: dict = {}
    if os.environ.get("BENCH_SKIP_LOAD") == "1":
        print("3.–4. load test skipped (BENCH_SKIP_LOAD=1)")
    else:
        print(f"3. preparing requests ({pool:,} started attempts with sessions for submit)")
        lists = prepare.candidate_requests(quiz, submit_pool=pool, autosave_pool=pool)
        connection.close()  # the server's workers get the database to themselves

        from bench.load import RequestList

        notes = {
            "submit POST": "each request grades a fresh attempt",
            "autosave POST": "each request saves 5 answers into a fresh attempt",
            "result page": "full review, 40 questions",
            "recruiter attempts list": f"{attempts:,} attempts in the database",
            "statistics page": f"over {attempts:,} attempts",
            "API attempts list": f"pages of 50 across {attempts:,} attempts, bearer token",
        }
        order = [
            "quiz page",
            "attempt page",
            "autosave POST",
            "submit POST",
            "result page",
            "recruiter attempts list",
            "statistics page",
            "API attempts list",
        ]
        plan: list[tuple[str, RequestList | None, str]] = [
            (BARE, RequestList("GET", "", [("/healthz/", "")]), "")
        ]
        for name in order:
            entry = lists[name]
            if isinstance(entry, str):
                plan.append((name, None, entry))
            else:
                plan.append((name, entry, notes.get(name, "")))
        run = run_wrk if loadgen == "wrk" else run_python
        threads = min(2, os.cpu_count() or 1)
        print(f"4. load test: gunicorn on 127.0.0.1:{port}")
        with gunicorn(env, log=RESULTS / "gunicorn.log") as server:
            base_url = server.url
            for name, requests, note in plan:
                if requests is None:
                    results.append(EndpointResult(name=name, note=note, measured=False))
                    print(f"   {name}: skipped ({note})")
                    continue
                # Warm up: workers import templates, open their database connections. Submit
                # warms up on attempts of its own, so the measured ones are all still open.
                warm = requests
                if name in {"submit POST", "autosave POST"}:
                    warm = RequestList(requests.method, requests.body, requests.entries[:WARM_POOL])
                    requests.entries = requests.entries[WARM_POOL:]
                run(
                    name,
                    base_url,
                    warm,
                    seconds=2,
                    connections=connections,
                    threads=threads,
                    workdir=RESULTS,
                )
                cpu_before = server.cpu_seconds()
                result = run(
                    name,
                    base_url,
                    requests,
                    seconds=seconds,
                    connections=connections,
                    threads=threads,
                    workdir=RESULTS,
                )
                if result.requests:
                    result.cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / result.requests
                result.note = note
                if not result.requests:
                    result.note += f"; no request completed within {seconds} s"
                result.target = TARGETS.get(name)
                results.append(result)
                print(
                    f"   {name}: {result.rps:,.0f} req/s, p95 {result.p95_ms or 0:.1f} ms, "
                    f"{result.errors} errors, {result.cpu_ms or 0:.1f} ms CPU/request"
                )
        for result in results:
            entry = lists.get(result.name)
            pooled = result.name in {"submit POST", "autosave POST"}
            if pooled and result.requests > len(entry.entries):
                repeats = result.requests - len(entry.entries)
                result.note += f"; {repeats} requests reused an attempt (pool too small)"

    print("5. corpus import, statistics, CSV and .xlsx export (server stopped)")
    corpus = offline.corpus_import()
    stats = offline.statistics(quiz.pk)
    export_small = offline.csv_export(env, quiz.pk, limit=attempts // 10)
    export_all = offline.csv_export(env, quiz.pk)
    export_view = (
        offline.csv_export(env, quiz.pk, kind="view")
        if offline.has_export_view()
        else {"skipped": "no export view on this branch"}
    )
    # The .xlsx writer over a tenth and over all attempts, then the view itself: constant
    # memory shows as the same peak RSS whatever the number of rows.
    xlsx = {
        "sample": offline.csv_export(env, quiz.pk, limit=max(attempts // 10, 1), kind="xlsx"),
        "all": offline.csv_export(env, quiz.pk, limit=attempts, kind="xlsx"),
        "view": offline.csv_export(env, quiz.pk, kind="xlsx"),
    }

    add_ratios(results)
    print()
    if results:
        print(format_table(results))
        print()
    print(
        f"seeding: {seeded.attempts:,} attempts + {seeded.answers:,} answers in "
        f"{seeded.seconds:.1f} s ({seeded.method})"
    )
    print(f"corpus import: {json.dumps(corpus)}")
    print(f"statistics over {attempts:,} attempts: {json.dumps(stats)}")
    print(f"CSV export view, all attempts of the quiz: {json.dumps(export_view)}")
    print(
        f"CSV export, {export_small['attempts']:,} attempts: {export_small['seconds']} s, "
        f"peak RSS {export_small['peak_rss_mib']} MiB"
    )
    print(
        f"CSV export, {export_all['attempts']:,} attempts: {export_all['seconds']} s, "
        f"peak RSS {export_all['peak_rss_mib']} MiB ({export_all['method']})"
    )
    for label, entry in xlsx.items():
        print(
            f".xlsx export ({label}), {entry.get('attempts', attempts):,} attempts: "
            f"{entry['seconds']} s, {entry['bytes']:,} bytes, peak RSS {entry['peak_rss_mib']} MiB "
            f"(at start {entry['rss_before_mib']} MiB; {entry['method']})"
        )

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
        },
        "settings": {
            "attempts": attempts,
            "seconds": seconds,
            "connections": connections,
            "loadgen": loadgen,
            "workers": (os.cpu_count() or 1) * 2,
        },
        "seeding": {**seeded.__dict__, "rows_per_second": round(seeded.rows_per_second)},
        "endpoints": [r.as_dict() for r in results],
        "corpus_import": corpus,
        "statistics": stats,
        "csv_export": {"view": export_view, "sample": export_small, "all": export_all},
        "xlsx_export": xlsx,
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in [RESULTS / f"bench-{stamp}.json", RESULTS / "bench-latest.json"]:
        path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nwritten to {RESULTS / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
