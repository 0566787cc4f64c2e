"""Computing an expensive value once when many requests ask for it at the same moment."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic, sleep
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def cached_once(
    key: str, compute: Callable[[], T], *, timeout: int, wait_seconds: float = 30.0
) -> T:
    """The cached value for `key`, computed by one request while concurrent ones wait.

    Without this, every request that arrives while a report is cold computes it again (16
    at once in the benchmark, none finishing in time). The lock is a cache key added
    atomically; a waiter whose computing request died computes the value itself.
    """
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:computing"
    if not cache.add(lock, True, timeout=int(wait_seconds)):
        deadline = monotonic() + wait_seconds
        while monotonic() < deadline and cache.get(lock) is not None:
            sleep(0.05)
            value = cache.get(key)
            if value is not None:
                return value
    try:
        value = compute()
        cache.set(key, value, timeout)
        return value
    finally:
        cache.delete(lock)
