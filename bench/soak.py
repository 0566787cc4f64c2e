"""`make soak`: many simulated candidates taking the test at a human pace, then an audit.

Each candidate opens the quiz page, starts an attempt, answers a few questions per action
(each action is an autosave POST, as the page's script sends), and submits, one action every
~30 s (jittered), all within SOAK_SECONDS. Without an autosave endpoint the answers go with
the final submit only, and the script says so.
At the end the database is compared with what every client sent: lost or changed answers,
duplicated attempts or answers, and 5xx responses must all be 0.

Environment: SOAK_CANDIDATES (10000), SOAK_SECONDS (300, at most 1800), SOAK_PACE (30 s per
action), SOAK_RAMP_SECONDS (arrivals spread over this, default one pace), SOAK_CONNECTIONS
(100), SOAK_PORT (18001), BENCH_DATABASE_URL (qs_bench; migrated, not reset: the soak adds a
quiz of its own).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from bench.load import gunicorn, server_environment
from bench.report import percentile
from bench.run import DEFAULT_URL, RESULTS, STATIC_ROOT, env_int, setup_django
from quizzes.services.revisions import current_revision

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION_BLOCK = re.compile(r'<fieldset[^>]*data-question="([^"]+)"(.*?)</fieldset>', re.S)
OPTION_VALUE = re.compile(r'<input[^>]*name="q_[^"]+" value="([^"]+)"')


@dataclass
class Candidate:
    number: int
    email: str
    cookies: dict[str, str] = field(default_factory=dict)
    attempt_path: str = ""
    sent: dict[int, list[int]] = field(default_factory=dict)
    # What the attempt page calls each question and option (its opaque tokens).
    question_tokens: dict[int, str] = field(default_factory=dict)
    option_tokens: dict[int, str] = field(default_factory=dict)
    submitted: bool = False
    failure: str = ""


def read_tokens(candidate: Candidate, html: str, questions: list[dict]) -> None:
    """Learn the attempt's tokens from its page, as a browser would.

    The soak's quiz is not shuffled: the page lists questions and options in the
    revision's order, so the n-th of each on the page is the n-th of the content.
    """
    blocks = QUESTION_BLOCK.findall(html)
    if len(blocks) != len(questions):
        raise RuntimeError(f"attempt page shows {len(blocks)} of {len(questions)} questions")
    for question, (question_token, block) in zip(questions, blocks, strict=True):
        candidate.question_tokens[question["id"]] = question_token
        values = OPTION_VALUE.findall(block)
        for option, value in zip(question["options"], values, strict=True):
            candidate.option_tokens[option["id"]] = value


def answer_fields(candidate: Candidate, answers: dict[int, list[int]]) -> dict[str, list[str]]:
    """POST fields for these answers (question id -> option ids), named as the page names them."""
    return {
        f"q_{candidate.question_tokens[question_id]}": [
            candidate.option_tokens[option_id] for option_id in option_ids
        ]
        for question_id, option_ids in answers.items()
    }


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0
    # Requests sent again because a connection was cut (`make soak-cluster`), by cause.
    retried: int = 0
    retry_causes: Counter = field(default_factory=Counter)


async def send(
    client,
    stats: Stats,
    kind: str,
    method: str,
    path: str,
    *,
    content: str | None,
    headers: dict[str, str],
    retries: int = 0,
    retry_statuses: frozenset[int] = frozenset(),
    backoff: float = 0.5,
):
    """One request; one whose connection was cut is sent again, as a browser's retry would.

    A cut connection is a transport error, or the balancer answering one of `retry_statuses`
    for a replica that went away (`make soak-cluster`). At most `retries` more tries, each
    counted by kind and cause in `stats`; the last answer is returned whatever it is, and a
    transport error that outlasts the retries (or any other client error) is raised.
    """
    import httpx

    for tries_left in range(retries, -1, -1):
        try:
            response = await client.request(method, path, content=content, headers=headers)
        except httpx.HTTPError as error:
            if not tries_left or not isinstance(error, httpx.TransportError):
                stats.transport_errors += 1
                raise RuntimeError(f"{kind}: {type(error).__name__}") from error
            cause = type(error).__name__
        else:
            if not tries_left or response.status_code not in retry_statuses:
                return response
            cause = str(response.status_code)
        stats.retried += 1
        stats.retry_causes[f"{kind}: {cause}"] += 1
        await asyncio.sleep(backoff)
    raise AssertionError("unreachable")


async def soak(
    base_url: str,
    quiz_path: str,
    questions: list[dict],
    *,
    candidates: int,
    seconds: float,
    pace: float,
    connections: int,
    run_id: str,
    autosave: bool,
    ramp: float,
    retries: int = 0,
    retry_statuses: frozenset[int] = frozenset(),
):
    import httpx

    stats = Stats()
    deadline = time.monotonic() + seconds
    rng = random.Random(run_id)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    # At most `connections` requests in flight; the rest wait here (timed: a candidate waits
    # too), not in httpx's pool, whose waiting list costs CPU per queued request.
    gate = asyncio.Semaphore(connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def request(candidate: Candidate, kind: str, method: str, path: str, data=None):
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in candidate.cookies.items())}
            if data is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            async with gate:
                response = await send(
                    client,
                    stats,
                    kind,
                    method,
                    path,
                    content=urlencode(data, doseq=True) if data else None,
                    headers=headers,
                    retries=retries,
                    retry_statuses=retry_statuses,
                )
            stats.latencies[kind].append(time.perf_counter() - started)
            stats.statuses[response.status_code] += 1
            for cookie in response.cookies.jar:
                candidate.cookies[cookie.name] = cookie.value
            return response

        async def think(fraction_of_remaining: float = 1.0):
            pause = pace * rng.uniform(0.5, 1.5)
            remaining = deadline - time.monotonic() - 5
            await asyncio.sleep(max(0.0, min(pause, remaining * fraction_of_remaining)))

        async def take_test(candidate: Candidate):
            # Arrivals spread over the ramp (default: one pace interval, a cohort opening its
            # invites at 10:00 sharp).
            await asyncio.sleep(rng.uniform(0, ramp))
            try:
                page = await request(candidate, "quiz page", "GET", quiz_path)
                token = CSRF_INPUT.search(page.text).group(1)
                await think(0.3)
                started = await request(
                    candidate,
                    "start POST",
                    "POST",
                    quiz_path,
                    {
                        "csrfmiddlewaretoken": token,
                        "candidate_name": f"Soak {candidate.number}",
                        "candidate_email": candidate.email,
                    },
                )
                if started.status_code != 302:
                    raise RuntimeError(f"start answered {started.status_code}")
                candidate.attempt_path = started.headers["Location"]
                attempt = await request(candidate, "attempt page", "GET", candidate.attempt_path)
                token = CSRF_INPUT.search(attempt.text).group(1)
                read_tokens(candidate, attempt.text, questions)
                # Answer a question or a few per action until time is nearly up.
                pending = list(questions)
                rng.shuffle(pending)
                seq = 0
                while pending and time.monotonic() < deadline - pace:
                    await think(0.5)
                    batch, pending = pending[: rng.randint(3, 8)], pending[8:]
                    for question in batch:
                        options = [o["id"] for o in question["options"]]
                        count = rng.randint(1, 2) if question["kind"] == "multiple" else 1
                        candidate.sent[question["id"]] = sorted(rng.sample(options, count))
                    if autosave:
                        seq += 1
                        data = {"csrfmiddlewaretoken": token, "seq": str(seq)}
                        data.update(
                            answer_fields(
                                candidate, {q["id"]: candidate.sent[q["id"]] for q in batch}
                            )
                        )
                        saved = await request(
                            candidate,
                            "autosave POST",
                            "POST",
                            candidate.attempt_path.rstrip("/") + "/autosave/",
                            data,
                        )
                        if saved.status_code != 200 or not saved.json().get("saved"):
                            raise RuntimeError(f"autosave answered {saved.status_code}")
                data = {"csrfmiddlewaretoken": token}
                data.update(answer_fields(candidate, candidate.sent))
                submitted = await request(
                    candidate, "submit POST", "POST", candidate.attempt_path, data
                )
                if submitted.status_code != 302:
                    raise RuntimeError(f"submit answered {submitted.status_code}")
                candidate.submitted = True
                await request(candidate, "result page", "GET", submitted.headers["Location"])
            except Exception as error:  # reported in the audit, never hidden
                candidate.failure = str(error) or type(error).__name__

        people = [
            Candidate(number=n, email=f"soak-{run_id}-{n}@example.com") for n in range(candidates)
        ]
        # A hard stop: whatever is still running two minutes after the deadline is cancelled
        # and reported as unfinished, so an overloaded run still ends by itself.
        tasks = [asyncio.ensure_future(take_test(person)) for person in people]
        _, unfinished = await asyncio.wait(tasks, timeout=seconds + 120)
        for task in unfinished:
            task.cancel()
        for person, task in zip(people, tasks, strict=True):
            if task in unfinished and not person.failure:
                person.failure = "unfinished at the hard stop"
    return people, stats


def audit(people: list[Candidate], quiz) -> dict:
    """Compare what the database holds with what the clients sent."""
    from django.db.models import Count

    from quizzes.models import Answer, Attempt

    attempts = defaultdict(list)
    for attempt in Attempt.objects.filter(quiz=quiz).only("id", "candidate_email", "state"):
        attempts[attempt.candidate_email].append(attempt)
    stored: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for attempt_id, question_id, selected in (
        Answer.objects.filter(attempt__quiz=quiz)
        .values_list("attempt_id", "question_id", "selected")
        .iterator(chunk_size=5000)
    ):
        stored[attempt_id][question_id] = selected
    duplicated_answers = (
        Answer.objects.filter(attempt__quiz=quiz)
        .values("attempt_id", "question_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    lost = changed = duplicated_attempts = not_submitted = sent_answers = 0
    for person in people:
        mine = attempts.get(person.email, [])
        if len(mine) > 1:
            duplicated_attempts += len(mine) - 1
        if not person.submitted:
            continue
        sent_answers += len(person.sent)
        if not mine:
            lost += len(person.sent)
            continue
        attempt = mine[0]
        if attempt.state != Attempt.State.SUBMITTED:
            not_submitted += 1
        answers = stored.get(attempt.id, {})
        for question_id, selected in person.sent.items():
            if question_id not in answers:
                lost += 1
            elif sorted(answers[question_id]) != selected:
                changed += 1
    return {
        "candidates": len(people),
        "submitted_by_clients": sum(p.submitted for p in people),
        "client_failures": Counter(p.failure for p in people if p.failure).most_common(5),
        "answers_sent": sent_answers,
        "answers_lost": lost,
        "answers_changed": changed,
        "answers_duplicated": duplicated_answers,
        "attempts_duplicated": duplicated_attempts,
        "submitted_but_not_stored_as_submitted": not_submitted,
    }


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    candidates = env_int("SOAK_CANDIDATES", 10_000)
    seconds = min(env_int("SOAK_SECONDS", 300), 1800)
    pace = float(os.environ.get("SOAK_PACE") or 30)
    connections = env_int("SOAK_CONNECTIONS", 100)
    ramp = min(float(os.environ.get("SOAK_RAMP_SECONDS") or pace), seconds / 2)
    port = env_int("SOAK_PORT", 18001)
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = server_environment(url, STATIC_ROOT, port)
    run_id = time.strftime("%H%M%S")
    print(
        f"quizsite soak: {candidates:,} candidates arriving over {ramp:g} s, {seconds} s, "
        f"one action per ~{pace:g} s, "
        f"{connections} connections, {url}"
    )

    setup_django(env)
    from django.core.management import call_command
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    from bench.seed import build_quiz

    call_command("migrate", "--no-input", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    quiz = build_quiz(slug=f"soak-{run_id}")
    questions = current_revision(quiz).content["questions"]
    connection.close()
    try:
        reverse("quizzes:autosave", kwargs={"public_id": uuid.uuid4()})
        autosave = True
        print("  answers: autosave POSTs while answering, then the submit")
    except NoReverseMatch:
        autosave = False
        print("  answers reach the server with the final submit only: no autosave endpoint")

    with gunicorn(env, log=RESULTS / "gunicorn-soak.log") as server:
        started = time.monotonic()
        client_cpu = time.process_time()
        people, stats = asyncio.run(
            soak(
                server.url,
                quiz.get_absolute_url(),
                questions,
                candidates=candidates,
                seconds=seconds,
                pace=pace,
                connections=connections,
                run_id=run_id,
                autosave=autosave,
                ramp=ramp,
            )
        )
        elapsed = time.monotonic() - started
        client_cpu = time.process_time() - client_cpu

    result = audit(people, quiz)
    everything = sorted(v * 1000 for values in stats.latencies.values() for v in values)
    server_errors = sum(n for status, n in stats.statuses.items() if status >= 500)
    result.update(
        seconds=round(elapsed, 1),
        requests=len(everything),
        requests_per_second=round(len(everything) / elapsed, 1),
        statuses=dict(sorted(stats.statuses.items())),
        server_errors_5xx=server_errors,
        transport_errors=stats.transport_errors,
        p50_ms=percentile(everything, 0.5),
        p95_ms=percentile(everything, 0.95),
        p99_ms=percentile(everything, 0.99),
        by_kind={
            kind: {
                "requests": len(values),
                "p50_ms": percentile(sorted(v * 1000 for v in values), 0.5),
                "p95_ms": percentile(sorted(v * 1000 for v in values), 0.95),
            }
            for kind, values in stats.latencies.items()
        },
    )
    ok = (
        result["answers_lost"]
        == result["answers_changed"]
        == result["answers_duplicated"]
        == result["attempts_duplicated"]
        == server_errors
        == 0
    )
    result["verdict"] = "ok" if ok else "FAILED"
    result["p95_target_250ms"] = "ok" if (result["p95_ms"] or 0) < 250 else "MISSED"
    result["autosave"] = autosave
    # The load client shares the machine: when it is busy most of the time, the latencies
    # include its own queueing and say little about the server.
    result["client_cpu_share"] = round(client_cpu / elapsed, 2)
    if client_cpu / elapsed > 0.8:
        result["warning"] = "the load client was CPU-bound: latencies include client queueing"
    print(json.dumps(result, indent=2, default=str))
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine_cpus": os.cpu_count(),
        "settings": {
            "candidates": candidates,
            "seconds": seconds,
            "pace": pace,
            "connections": connections,
            "ramp_seconds": ramp,
        },
        "result": result,
    }
    (RESULTS / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(report, indent=2, default=str)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
