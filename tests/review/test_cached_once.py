"""Expensive review numbers are computed once, even when requests arrive together."""

import threading

import pytest
from django.core.cache import cache

from quizzes.caching import cached_once


def test_a_cached_value_is_not_computed_again():
    cache.clear()
    calls = []
    assert cached_once("k1", lambda: calls.append(1) or "v", timeout=60) == "v"
    assert cached_once("k1", lambda: calls.append(1) or "w", timeout=60) == "v"
    assert calls == [1]


def test_concurrent_requests_wait_for_the_one_computing():
    cache.clear()
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return "stats"

    results = []
    first = threading.Thread(target=lambda: results.append(cached_once("k2", slow, timeout=60)))
    first.start()
    started.wait(5)
    waiters = [
        threading.Thread(target=lambda: results.append(cached_once("k2", slow, timeout=60)))
        for _ in range(3)
    ]
    for thread in waiters:
        thread.start()
    release.set()
    for thread in [first, *waiters]:
        thread.join(10)

    assert results == ["stats"] * 4
    assert calls == [1]


def test_a_waiter_computes_itself_when_the_lock_holder_never_finishes():
    cache.clear()
    cache.add("k3:computing", True, timeout=60)  # a worker that died while computing
    assert cached_once("k3", lambda: "fresh", timeout=60, wait_seconds=0.2) == "fresh"
    assert cache.get("k3") == "fresh"


def test_a_failed_computation_releases_the_lock():
    cache.clear()

    def broken():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cached_once("k4", broken, timeout=60)
    assert cache.get("k4:computing") is None
    assert cached_once("k4", lambda: "ok", timeout=60) == "ok"
