"""Load generation: wrk (C, preferred) or an asyncio + httpx fallback, and the gunicorn server.

Both read the same request list: a method, a body, and per request a path and a cookie;
an Authorization header (the API's bearer token), when given, goes with every request.
Only loopback addresses are ever targeted; every run is bounded in time.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.report import EndpointResult, percentile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOOPBACK = "127.0.0.1"


@dataclass
class RequestList:
    method: str
    body: str  # urlencoded, for every request without its own ("" for GET)
    # (path, cookie header) or (path, cookie header, the request's own urlencoded body):
    # a POST answering with an attempt's tokens must carry that attempt's tokens.
    entries: list[tuple[str, str]] | list[tuple[str, str, str]]
    authorization: str = ""  # the same for every request; "" for none

    def write(self, path: Path) -> Path:
        first = f"{self.method}\t{self.authorization}" if self.authorization else self.method
        lines = [first, self.body, *("\t".join(entry) for entry in self.entries)]
        path.write_text("\n".join(lines) + "\n")
        return path


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    name: str,
    base_url: str,
    requests: RequestList,
    *,
    seconds: int,
    connections: int,
    threads: int,
    workdir: Path,
) -> EndpointResult:
    assert base_url.startswith(f"http://{LOOPBACK}:")
    slug = re.sub(r"\W+", "_", name)
    spec = requests.write(workdir / f"{slug}.requests")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "wrk.lua"),
        base_url,
        "--",
        str(spec),
        str(threads),
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    return EndpointResult(name=name, **data)


async def _python_load(base_url, requests: RequestList, seconds, connections):
    import httpx

    latencies: list[float] = []
    errors = 0
    position = 0
    deadline = time.perf_counter() + seconds
    has_body = bool(requests.body) or any(len(entry) > 2 for entry in requests.entries)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if has_body else {}
    if requests.authorization:
        headers["Authorization"] = requests.authorization
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:

        async def worker():
            nonlocal errors, position
            while time.perf_counter() < deadline:
                path, cookie, *own = requests.entries[position % len(requests.entries)]
                body = own[0] if own else requests.body
                position += 1
                started = time.perf_counter()
                try:
                    response = await client.request(
                        requests.method,
                        path,
                        content=body or None,
                        headers={**headers, **({"Cookie": cookie} if cookie else {})},
                    )
                    if response.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return latencies, errors, time.perf_counter() - started


def run_python(
    name: str, base_url: str, requests: RequestList, *, seconds: int, connections: int, **_
) -> EndpointResult:
    assert base_url.startswith(f"http://{LOOPBACK}:")
    latencies, errors, elapsed = asyncio.run(_python_load(base_url, requests, seconds, connections))
    latencies.sort()
    ms = [value * 1000 for value in latencies]
    return EndpointResult(
        name=name,
        requests=len(latencies),
        seconds=elapsed,
        errors=errors,
        p50_ms=percentile(ms, 0.50),
        p95_ms=percentile(ms, 0.95),
        p99_ms=percentile(ms, 0.99),
    )


def server_environment(database_url: str, static_root: Path, port: int, **extra) -> dict:
    """Production settings, loosened only where a loopback benchmark needs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0f8e7d6c5b4a39281706f5e4d3c2b1a0-not-for-production",
        ALLOWED_HOSTS=LOOPBACK,
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        # Plain HTTP on loopback: no redirect to HTTPS, cookies sent without TLS.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        GUNICORN_BIND=f"{LOOPBACK}:{port}",
        GUNICORN_ACCESS_LOG="",
        # Every simulated candidate comes from 127.0.0.1: per-address rate limits would
        # turn the load test into a test of the rate limiter.
        RATE_LIMIT_START="off",
        RATE_LIMIT_SUBMIT="off",
        RATE_LIMIT_INVITE="off",
        RATE_LIMIT_AUTOSAVE="off",
        RATE_LIMIT_API="off",
        # Workers live for the whole run, so their CPU time can be read per endpoint.
        GUNICORN_MAX_REQUESTS="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="quizsite.settings",
    )
    env.update(extra)
    return env


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


@dataclass
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        return process_tree_cpu_seconds(self.pid)


@contextmanager
def gunicorn(env: dict, *, log: Path, startup_seconds: int = 60):
    """Run gunicorn (gunicorn.conf.py, 2 workers per core) until the block ends."""
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "quizsite.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        url = f"http://{env['GUNICORN_BIND']}"
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz/", timeout=2) as response:
                        if response.read() == b"ok":
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log}")
                time.sleep(0.3)
            yield Server(url=url, pid=process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
