"""`make soak-cluster`'s pure parts: the balancer's configuration and the audit's verdicts."""

import re

from bench.cluster import (
    cluster_verdict,
    haproxy_config,
    rate_limit_audit,
    reachability_audit,
    served_requests,
)


def test_haproxy_balances_round_robin_over_both_replicas_without_sticky_sessions():
    config = haproxy_config(port=18101, replicas={"a": 18102, "b": 18103}, host="127.0.0.1")

    assert "bind 127.0.0.1:18101" in config
    backend = config.split("backend replicas", 1)[1]
    assert "balance roundrobin" in backend
    servers = re.findall(r"^\s*server (\w+) (\S+) check$", backend, re.MULTILINE)
    assert servers == [("a", "127.0.0.1:18102"), ("b", "127.0.0.1:18103")]
    # Nothing ties a client to a replica: no cookie insertion, no stick table, no source hash.
    for sticky in ("cookie", "stick", "balance source", "hash-type"):
        assert sticky not in config


def test_haproxy_health_check_asks_healthz_with_an_allowed_host_and_redispatches():
    config = haproxy_config(port=18101, replicas={"a": 18102, "b": 18103}, host="quiz.example.com")

    assert "option httpchk" in config
    assert "http-check send meth GET uri /healthz/ ver HTTP/1.1 hdr Host quiz.example.com" in config
    assert "http-check expect string ok" in config
    # A refused connection (a replica stopping) goes to the other replica.
    assert "option redispatch" in config
    assert "retry-on conn-failure" in config


def test_rate_limit_counted_once_across_replicas_passes():
    result = rate_limit_audit([404] * 10 + [429] * 20, limit=10)
    assert result == {
        "limit": 10,
        "sent": 30,
        "allowed": 10,
        "first_429_at": 11,
        "verdict": "ok",
    }


def test_rate_limit_counted_per_replica_fails():
    # Each replica counting on its own lets twice the limit through.
    result = rate_limit_audit([404] * 20 + [429] * 10, limit=10)
    assert result["allowed"] == 20
    assert result["first_429_at"] == 21
    assert result["verdict"] == "FAILED"


def test_rate_limit_refusing_too_early_fails():
    result = rate_limit_audit([404] * 5 + [429] * 5 + [404] * 5, limit=10)
    assert result["allowed"] == 10
    assert result["first_429_at"] == 6
    assert result["verdict"] == "FAILED"


def test_reachability_counts_attempts_not_opening_on_every_replica():
    result = reachability_audit(
        {
            "/attempt/1/": {"a": 200, "b": 200},
            "/attempt/2/": {"a": 200, "b": 404},
            "/attempt/3/": {"a": -200, "b": 200},  # redirected away from the attempt
        }
    )
    assert result["attempts_checked"] == 3
    assert result["unreachable"] == 2
    assert set(result["examples"]) == {"/attempt/2/", "/attempt/3/"}


def passing_result(**changes) -> dict:
    result = {
        "candidates": 3,
        "submitted_by_clients": 3,
        "answers_lost": 0,
        "answers_changed": 0,
        "answers_duplicated": 0,
        "attempts_duplicated": 0,
        "server_errors_5xx": 0,
        "reachability": {"unreachable": 0},
        "rate_limit": {"verdict": "ok"},
        "restart": {"restarted": True},
    }
    result.update(changes)
    return result


def test_cluster_verdict_passes_only_when_every_audit_does():
    assert cluster_verdict(passing_result()) is True
    for failure in (
        {"answers_lost": 1},
        {"answers_changed": 1},
        {"answers_duplicated": 1},
        {"attempts_duplicated": 1},
        {"server_errors_5xx": 1},
        {"submitted_by_clients": 2},
        {"reachability": {"unreachable": 1}},
        {"rate_limit": {"verdict": "FAILED"}},
        # A run whose replica never came back proved nothing about the restart.
        {"restart": {"restarted": False}},
    ):
        assert cluster_verdict(passing_result(**failure)) is False, failure


def test_served_requests_counts_access_log_lines_without_health_checks():
    log = "\n".join(
        [
            '127.0.0.1 - - [30/Nov/2026:03:35:00 +0000] "GET /healthz/ HTTP/1.1" 200 2',
            '127.0.0.1 - - [30/Nov/2026:03:35:01 +0000] "GET /quiz/x/ HTTP/1.1" 200 900',
            '127.0.0.1 - - [30/Nov/2026:03:35:02 +0000] "POST /attempt/1/autosave/ HTTP/1.1" 200 9',
            "[2026-11-30 03:35:03 +0000] [12] [INFO] Booting worker with pid: 12",
        ]
    )
    assert served_requests(log) == 2


def run_send(answers, **options):
    """bench.soak.send against a transport that answers from `answers` in turn."""
    import asyncio
    import concurrent.futures

    import httpx

    from bench.soak import Stats, send

    remaining = list(answers)
    seen = []

    def handler(request):
        seen.append(request.method)
        answer = remaining.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)

    async def go():
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await send(
                client, stats, "submit POST", "POST", "/a/", content="x=1", headers={}, **options
            )

    stats = Stats()
    # In a thread of its own: in the whole suite the browser tests' Playwright keeps an
    # event loop running in this one, where asyncio.run() refuses to start.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            response = pool.submit(asyncio.run, go()).result()
        except RuntimeError as error:
            response = error
    return response, stats, seen


def test_cut_connections_are_sent_again_and_counted_by_cause():
    import httpx

    response, stats, seen = run_send(
        [httpx.ConnectError("refused"), 503, 302],
        retries=5,
        retry_statuses=frozenset({502, 503, 504}),
        backoff=0,
    )
    assert response.status_code == 302
    assert seen == ["POST", "POST", "POST"]
    assert stats.retried == 2
    assert dict(stats.retry_causes) == {"submit POST: ConnectError": 1, "submit POST: 503": 1}
    assert stats.transport_errors == 0


def test_an_application_5xx_is_not_retried():
    response, stats, seen = run_send(
        [500, 200], retries=5, retry_statuses=frozenset({502, 503, 504}), backoff=0
    )
    assert response.status_code == 500
    assert seen == ["POST"]
    assert stats.retried == 0


def test_a_connection_cut_more_often_than_the_retries_fails_the_candidate():
    import httpx

    error, stats, seen = run_send(
        [httpx.ReadError("reset")] * 3, retries=2, retry_statuses=frozenset({503}), backoff=0
    )
    assert isinstance(error, RuntimeError)
    assert str(error) == "submit POST: ReadError"
    assert len(seen) == 3
    assert stats.retried == 2
    assert stats.transport_errors == 1


def test_the_single_server_soak_retries_nothing():
    response, stats, seen = run_send([503, 200])
    assert response.status_code == 503
    assert seen == ["POST"]
    assert stats.retried == 0
