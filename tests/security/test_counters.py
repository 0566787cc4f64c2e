"""The database cache that holds rate-limit counters: nothing lost, even when counted at once."""

import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection

from quizzes.counters import CounterDatabaseCache

TABLE = "quizsite_rate_limits"


def counters() -> CounterDatabaseCache:
    return CounterDatabaseCache(TABLE, {"OPTIONS": {"MAX_ENTRIES": 50_000}})


def count_request(cache: CounterDatabaseCache, key: str) -> int:
    """What django-ratelimit does for every request: start the counter, or increment it."""
    if cache.add(key, 1, 600):
        return 1
    return cache.incr(key)


@pytest.mark.django_db
def test_a_counter_starts_at_its_first_value_and_counts_up():
    cache = counters()
    assert [count_request(cache, "client") for _ in range(4)] == [1, 2, 3, 4]
    assert cache.get("client") == 4
    assert cache.incr("client", 10) == 14


@pytest.mark.django_db
def test_adding_an_existing_counter_keeps_its_value():
    cache = counters()
    assert cache.add("client", 1, 600) is True
    cache.incr("client")
    assert cache.add("client", 1, 600) is False
    assert cache.get("client") == 2


@pytest.mark.django_db
def test_a_missing_counter_cannot_be_incremented():
    with pytest.raises(ValueError, match="not found"):
        counters().incr("nobody")


@pytest.mark.django_db
def test_an_expired_counter_is_neither_incremented_nor_kept_by_add():
    cache = counters()
    cache.add("client", 5, 1)
    time.sleep(2.1)  # expiry times are stored to the second
    with pytest.raises(ValueError, match="not found"):
        cache.incr("client")
    assert cache.add("client", 1, 600) is True
    assert cache.get("client") == 1


@pytest.mark.django_db
def test_counters_are_rows_of_the_shared_table():
    cache = counters()
    count_request(cache, "client")
    count_request(cache, "client")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        assert cursor.fetchone()[0] == 1
    # The rate limiter's own alias reads the same rows.
    assert caches["ratelimit"].get("client") == 2


def count_together(key: str, threads: int, each: int) -> list:
    """`threads` threads, released at once, each counting `each` requests on its connection."""
    barrier = threading.Barrier(threads)
    errors: list = []

    def worker() -> None:
        try:
            cache = counters()
            barrier.wait()
            for _ in range(each):
                count_request(cache, key)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in pool)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_on_separate_connections_are_all_counted():
    # Django's plain database cache reads and then writes: two requests at once both write
    # the same number and one goes uncounted (without the lock, most of these 400 are lost).
    errors = count_together("crowd", threads=8, each=50)
    assert errors == []
    assert counters().get("crowd") == 400
