"""`make soak-cluster`: the soak through HAProxy over two replicas, one restarted mid-run.

Starts on this machine, each in its own process group and all stopped at the end (also on
Ctrl-C or failure): a fresh PostgreSQL database, its own Redis database (flushed first), two
gunicorn replicas of the production settings on two ports, HAProxy in front (round robin, no
sticky sessions, health check on /healthz/), and the Huey consumer. The soak's simulated
candidates go through the balancer while replica A is stopped (SIGTERM) and started again;
requests whose connection the stopped replica cut are retried by the client and counted.
Then the audit: no answer lost, changed or duplicated; no 5xx apart from the cut
connections; every candidate's attempt opens on replica A and on replica B alike with the
candidate's cookies; a rate limit hammered through both replicas refuses at its configured
count, not twice it.

Environment: SOAK_CANDIDATES (300), SOAK_SECONDS (120, at most 600), SOAK_PACE (10 s per
action), SOAK_CONNECTIONS (50), SOAK_PORT (18101: the balancer; replicas on the next two
ports), SOAK_REDIS_DB (9), SOAK_RATE_LIMIT (10 requests), SOAK_STOP_SIGNAL (TERM; KILL
stops replica A as a crash would, cutting its requests in flight), CLUSTER_DATABASE_URL
(qs_cluster; dropped and recreated).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench.load import LOOPBACK, ROOT, server_environment
from bench.report import percentile

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qs_cluster"
# What a cut connection looks like to the client: the balancer answering for a replica that
# went away (502/503/504), or the transport failing. Anything else is the application's own.
BALANCER_STATUSES = frozenset({502, 503, 504})


def haproxy_config(*, port: int, replicas: dict[str, int], host: str) -> str:
    """HAProxy in front of the replicas: round robin, no stickiness, /healthz/ checks.

    A replica that refuses connections (stopping, starting) is taken out after two failed
    checks a second apart; until then HAProxy redispatches a refused connection to the other
    replica. `host` is the Host header of the health check (one of ALLOWED_HOSTS).
    """
    servers = "\n".join(
        f"    server {name} {LOOPBACK}:{replica_port} check"
        for name, replica_port in replicas.items()
    )
    return f"""\
global
    maxconn 4096

defaults
    mode http
    option forwardfor
    option redispatch
    retries 3
    retry-on conn-failure empty-response
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s

frontend web
    bind {LOOPBACK}:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz/ ver HTTP/1.1 hdr Host {host}
    http-check expect string ok
    default-server inter 1s fall 2 rise 2
{servers}
"""


def rate_limit_audit(statuses: list[int], limit: int) -> dict:
    """Requests sent alternately to both replicas: exactly `limit` may pass, then 429s.

    Counted per replica instead of once, twice the limit would pass.
    """
    allowed = sum(1 for status in statuses if status != 429)
    first_refused = next((n for n, status in enumerate(statuses) if status == 429), None)
    return {
        "limit": limit,
        "sent": len(statuses),
        "allowed": allowed,
        "first_429_at": None if first_refused is None else first_refused + 1,
        "verdict": "ok" if allowed == limit and first_refused == limit else "FAILED",
    }


def reachability_audit(results: dict[str, dict[str, int]]) -> dict:
    """Per candidate (attempt path -> replica -> final status): 200 on every replica."""
    unreachable = {
        path: statuses
        for path, statuses in results.items()
        if any(status != 200 for status in statuses.values())
    }
    return {
        "attempts_checked": len(results),
        "unreachable": len(unreachable),
        "examples": dict(list(unreachable.items())[:5]),
    }


def cluster_verdict(result: dict) -> bool:
    """The issue's bar: nothing lost, no 5xx of the application's own, both replicas alike."""
    return (
        result["answers_lost"]
        == result["answers_changed"]
        == result["answers_duplicated"]
        == result["attempts_duplicated"]
        == result["server_errors_5xx"]
        == result["reachability"]["unreachable"]
        == 0
        and result["submitted_by_clients"] == result["candidates"]
        and result["rate_limit"]["verdict"] == "ok"
        and result["restart"]["restarted"]
    )


@dataclass
class Process:
    """A child in its own process group, so stopping it stops its children too."""

    name: str
    command: list[str]
    env: dict
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log.open("a")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 40, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        self.process = None


def wait_healthy(url: str, process: Process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz/", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        if not process.running() or time.monotonic() > deadline:
            raise RuntimeError(f"{process.name} did not become healthy; see {process.log}")
        time.sleep(0.3)


@dataclass
class Restart:
    """Stop replica A at `after` seconds into the soak, then start it again."""

    replica: Process
    url: str
    after: float
    sig: signal.Signals = signal.SIGTERM
    events: list[str] = field(default_factory=list)
    restarted: bool = False
    error: str = ""

    def run(self, started: float, stop: threading.Event) -> None:
        try:
            if stop.wait(self.after):
                return
            self.events.append(
                f"{time.monotonic() - started:.1f}s {self.sig.name} to {self.replica.name}"
            )
            self.replica.stop(sig=self.sig)
            self.events.append(f"{time.monotonic() - started:.1f}s {self.replica.name} exited")
            if stop.wait(3):
                return
            self.replica.start()
            wait_healthy(self.url, self.replica)
            self.events.append(f"{time.monotonic() - started:.1f}s {self.replica.name} healthy")
            self.restarted = True
        except Exception as error:  # reported in the audit
            self.error = f"{type(error).__name__}: {error}"


ACCESS_LINE = re.compile(r'"(?:GET|POST|HEAD) (?!/healthz/)')


def served_requests(log_text: str) -> int:
    """Requests in a gunicorn access log, health checks left out."""
    return sum(1 for line in log_text.splitlines() if ACCESS_LINE.search(line))


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


async def check_reachability(people, replica_urls: dict[str, str]) -> dict[str, dict[str, int]]:
    """Open every candidate's attempt on each replica directly, with the candidate's cookies."""
    import httpx

    results: dict[str, dict[str, int]] = {}
    gate = asyncio.Semaphore(10)
    # Redirects followed by hand: httpx drops a Cookie header set per request when it
    # follows one, and the candidate's cookies must go with every request.
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(person, name, base):
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in person.cookies.items())}
            path = person.attempt_path
            async with gate:
                response = await client.get(base + path, headers=headers)
                if response.status_code == 302:
                    # A submitted attempt's page leads to its result: still the same attempt.
                    path = response.headers["Location"]
                    response = await client.get(base + path, headers=headers)
            # Anything but this attempt's page or result (the home page, a 404) means the
            # replica did not recognise the candidate.
            same = path.startswith(person.attempt_path)
            results.setdefault(person.attempt_path, {})[name] = (
                response.status_code if same else -response.status_code
            )

        await asyncio.gather(
            *(
                one(person, name, base)
                for person in people
                if person.attempt_path
                for name, base in replica_urls.items()
            )
        )
    return results


async def hammer_rate_limit(quiz_path: str, replica_urls: list[str], limit: int) -> list[int]:
    """POST the code form (rate group "code") alternately to each replica, from one address."""
    import httpx

    statuses = []
    async with httpx.AsyncClient(timeout=30) as client:
        page = await client.get(replica_urls[0] + quiz_path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        cookies = "; ".join(f"{c.name}={c.value}" for c in page.cookies.jar)
        for n in range(limit * 3):
            response = await client.post(
                replica_urls[n % len(replica_urls)] + "/continue/",
                content=urlencode({"csrfmiddlewaretoken": token, "code": "000000"}),
                headers={
                    "Cookie": cookies,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": replica_urls[n % len(replica_urls)] + quiz_path,
                },
            )
            statuses.append(response.status_code)
    return statuses


def haproxy_binary() -> str:
    binary = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
    )
    if binary is None:
        raise SystemExit(
            "HAProxy is not installed (Debian: apt-get install haproxy; `make soak-cluster` "
            "tries that first and needs root for it)."
        )
    return binary


def main() -> int:
    from bench.run import RESULTS, STATIC_ROOT, env_int, reset_database, setup_django

    url = os.environ.get("CLUSTER_DATABASE_URL") or DEFAULT_URL
    candidates = env_int("SOAK_CANDIDATES", 300)
    seconds = min(env_int("SOAK_SECONDS", 120), 600)
    pace = float(os.environ.get("SOAK_PACE") or 10)
    connections = env_int("SOAK_CONNECTIONS", 50)
    ramp = min(float(os.environ.get("SOAK_RAMP_SECONDS") or pace), seconds / 4)
    port = env_int("SOAK_PORT", 18101)
    redis_db = env_int("SOAK_REDIS_DB", 9)
    limit = env_int("SOAK_RATE_LIMIT", 10)
    # TERM: a graceful stop (a deploy); KILL: a crash, cutting the requests in flight.
    stop_signal = signal.Signals["SIG" + (os.environ.get("SOAK_STOP_SIGNAL") or "TERM").upper()]
    redis_url = os.environ.get("CLUSTER_REDIS_URL") or f"redis://{LOOPBACK}:6379/{redis_db}"
    haproxy = haproxy_binary()
    replica_ports = {"a": port + 1, "b": port + 2}
    replica_urls = {name: f"http://{LOOPBACK}:{p}" for name, p in replica_ports.items()}
    balancer_url = f"http://{LOOPBACK}:{port}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="quizsite-cluster-"))
    run_id = time.strftime("%H%M%S")
    print(
        f"quizsite soak-cluster: {candidates:,} candidates over {seconds} s (one action per "
        f"~{pace:g} s) through HAProxy {balancer_url} -> replicas "
        f"{', '.join(replica_urls.values())}; "
        f"{url}; {redis_url}; logs and config in {workdir}"
    )

    base_env = server_environment(
        url,
        STATIC_ROOT,
        port,
        SECRET_KEY=secrets.token_urlsafe(50),
        REDIS_URL=redis_url,
        HUEY_QUEUE=f"quizsite-cluster-{run_id}",
        RATE_LIMIT_CODE=f"{limit}/10m",
        # Two replicas on two cores: one worker process each, threads for the waiting.
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY") or "2",
    )
    print("1. fresh database and Redis database, migrate, collectstatic")
    reset_database(url)
    flush_redis(redis_url)
    setup_django(base_env)
    from django.core.management import call_command
    from django.db import connection

    from bench.seed import build_quiz
    from bench.soak import audit, soak
    from quizzes.services.revisions import current_revision

    call_command("migrate", "--no-input", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    quiz = build_quiz(slug=f"cluster-{run_id}")
    questions = current_revision(quiz).content["questions"]
    connection.close()

    config = workdir / "haproxy.cfg"
    config.write_text(haproxy_config(port=port, replicas=replica_ports, host=LOOPBACK))
    subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)

    gunicorn = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    replicas = {
        name: Process(
            f"replica {name}",
            [*gunicorn, "quizsite.wsgi:application"],
            # Access log on: the audit counts the requests each replica served.
            {**base_env, "GUNICORN_BIND": f"{LOOPBACK}:{p}", "GUNICORN_ACCESS_LOG": "-"},
            workdir / f"replica-{name}.log",
        )
        for name, p in replica_ports.items()
    }
    balancer = Process(
        "haproxy", [haproxy, "-db", "-f", str(config)], base_env, workdir / "haproxy.log"
    )
    consumer = Process(
        "huey consumer",
        [sys.executable, "manage.py", "run_huey"],
        base_env,
        workdir / "huey.log",
    )
    everything = [*replicas.values(), balancer, consumer]
    stop_restart = threading.Event()
    restarter: threading.Thread | None = None
    # `kill` as well as Ctrl-C ends in the `finally` below, which stops every child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        print("2. replicas A and B, HAProxy, Huey consumer")
        for process in everything:
            process.start()
        for name, replica in replicas.items():
            wait_healthy(replica_urls[name], replica)
        wait_healthy(balancer_url, balancer)
        restart = Restart(replicas["a"], replica_urls["a"], after=seconds * 0.4, sig=stop_signal)
        print(
            f"3. soak through the balancer; replica A stopped ({stop_signal.name}) and "
            f"restarted at ~{restart.after:.0f} s"
        )
        started = time.monotonic()
        restarter = threading.Thread(target=restart.run, args=(started, stop_restart))
        restarter.start()
        people, stats = asyncio.run(
            soak(
                balancer_url,
                quiz.get_absolute_url(),
                questions,
                candidates=candidates,
                seconds=seconds,
                pace=pace,
                connections=connections,
                run_id=run_id,
                autosave=True,
                ramp=ramp,
                retries=5,
                retry_statuses=BALANCER_STATUSES,
            )
        )
        elapsed = time.monotonic() - started
        stop_restart.set()
        restarter.join()
        print("4. audit: stored answers, both replicas, rate limit")
        reachable = asyncio.run(check_reachability(people, replica_urls))
        statuses = asyncio.run(
            hammer_rate_limit(quiz.get_absolute_url(), list(replica_urls.values()), limit)
        )
        consumer_alive = consumer.running()
    finally:
        stop_restart.set()
        # The restart must not start replica A again after it has been stopped here.
        if restarter is not None:
            restarter.join(timeout=120)
        for process in reversed(everything):
            process.stop()

    result = audit(people, quiz)
    latencies = sorted(v * 1000 for values in stats.latencies.values() for v in values)
    result.update(
        seconds=round(elapsed, 1),
        requests=len(latencies),
        statuses=dict(sorted(stats.statuses.items())),
        server_errors_5xx=sum(
            n
            for status, n in stats.statuses.items()
            if status >= 500 and status not in BALANCER_STATUSES
        ),
        retried_cut_connections=stats.retried,
        retried_by_cause=dict(stats.retry_causes),
        transport_errors_not_recovered=stats.transport_errors,
        p50_ms=percentile(latencies, 0.5),
        p95_ms=percentile(latencies, 0.95),
        restart={"restarted": restart.restarted, "events": restart.events, "error": restart.error},
        reachability=reachability_audit(reachable),
        rate_limit=rate_limit_audit(statuses, limit),
        rate_limit_statuses=dict(Counter(statuses)),
        huey_consumer_running_at_end=consumer_alive,
        # Soak, reachability and rate-limit requests together, health checks left out.
        requests_served_by_replica={
            name: served_requests(replica.log.read_text()) for name, replica in replicas.items()
        },
    )
    ok = cluster_verdict(result)
    result["verdict"] = "ok" if ok else "FAILED"
    print(json.dumps(result, indent=2, default=str))
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine_cpus": os.cpu_count(),
        "settings": {
            "stop_signal": stop_signal.name,
            "candidates": candidates,
            "seconds": seconds,
            "pace": pace,
            "connections": connections,
            "rate_limit": limit,
        },
        "result": result,
    }
    (RESULTS / f"soak-cluster-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(report, indent=2, default=str)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
