"""In-process CPU per request of the peer app, django-survey-and-report (make bench-peer).

Runs in the peer's own virtualenv (.venv-peer, its own Django), never in quizsite's:

    PEER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qs_bench_peer \
        .venv-peer/bin/python -m bench.peer.run_peer [--requests 40] [--questions 40]

Recreates the database (a PostgreSQL database named in PEER_DATABASE_URL, or a SQLite
file), migrates, creates one published survey of QUESTIONS required radio questions of 5
choices on one page, then drives the peer's own views through django.test.Client (CSRF
checks on) and prints one JSON object: per request kind the median and mean of
time.process_time over REQUESTS requests (after one untimed warm-up) and the number of
queries of one more, untimed request under CaptureQueriesContext.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

KINDS = ["survey list", "survey form", "post 5 answers", "post all answers", "confirmation"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per kind")
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 1000:
        parser.error("--requests must be between 1 and 1000")
    if not 5 <= args.questions <= 200:
        parser.error("--questions must be between 5 and 200")
    return args


def reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path:
            Path(path).unlink(missing_ok=True)
        return
    from urllib.parse import urlparse

    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if name in {"postgres", "template0", "template1", "qs_bench", "quizsite"}:
        raise SystemExit(f"refusing to drop {name}: give the peer a database of its own")
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or "",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def build_survey(questions: int):
    from survey.models import Question, Survey

    survey = Survey.objects.create(
        name="Bench survey",
        description="Forty questions, five choices each, all on one page.",
        is_published=True,
        need_logged_user=False,
        editable_answers=True,
        display_method=Survey.ALL_IN_ONE_PAGE,
    )
    for order in range(questions):
        Question.objects.create(
            survey=survey,
            order=order,
            required=True,
            type=Question.RADIO,
            text=f"Question {order + 1}: which of these holds for `item_{order}`?",
            choices=", ".join(f"option {order}-{choice}" for choice in range(5)),
        )
    return survey


def answers(survey, how_many: int) -> dict[str, str]:
    from django.contrib.auth.models import AnonymousUser
    from survey.forms import ResponseForm

    form = ResponseForm(survey=survey, user=AnonymousUser(), step=0)
    chosen = {}
    for index, (name, field) in enumerate(form.fields.items()):
        if name.startswith("question_") and len(chosen) < how_many:
            chosen[name] = list(field.choices)[index % 5][0]
    return chosen


def measure(requests: int, questions: int) -> dict[str, dict[str, float]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from survey.models import Response

    survey = build_survey(questions)
    client = Client(enforce_csrf_checks=True)
    form_url = reverse("survey-detail", kwargs={"id": survey.pk})
    client.get(form_url)
    csrf = client.cookies["csrftoken"].value
    some = {**answers(survey, 5), "csrfmiddlewaretoken": csrf}
    every = {**answers(survey, questions), "csrfmiddlewaretoken": csrf}
    # The peer has no autosave. Its questions are required, so a POST of 5 answers saves
    # nothing and renders the form again with 35 errors: its answer to a partial save.
    client.post(form_url, every)
    finished = Response.objects.latest("created")
    calls = {
        "survey list": ("get", reverse("survey-list"), None, 200),
        "survey form": ("get", form_url, None, 200),
        "post 5 answers": ("post", form_url, some, 200),
        "post all answers": ("post", form_url, every, 302),
        "confirmation": (
            "get",
            reverse("survey-confirmation", kwargs={"uuid": finished.interview_uuid}),
            None,
            200,
        ),
    }
    results = {}
    for kind in KINDS:
        method, url, data, expected = calls[kind]

        def call(kind=kind, method=method, url=url, data=data, expected=expected):
            response = client.get(url) if method == "get" else client.post(url, data)
            if response.status_code != expected:
                raise SystemExit(f"{kind}: {url} answered {response.status_code}")
            return response

        call()  # warm-up: imports, template loading
        samples = []
        for _ in range(requests):
            started = time.process_time()
            call()
            samples.append((time.process_time() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            call()
        results[kind] = {
            "median_ms": statistics.median(samples),
            "mean_ms": statistics.fmean(samples),
            "queries": len(queries.captured_queries),
        }
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
    url = os.environ.get("PEER_DATABASE_URL", "")
    from bench.peer import settings as peer_settings

    reset_database(url or f"sqlite:///{peer_settings.DATABASES['default']['NAME']}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--no-input", verbosity=0)
    results = measure(args.requests, args.questions)
    from importlib.metadata import version

    print(
        json.dumps(
            {
                "app": f"django-survey-and-report {version('django-survey-and-report')}",
                "django": django.get_version(),
                "python": platform.python_version(),
                "database": connection.vendor,
                "requests": args.requests,
                "questions": args.questions,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
