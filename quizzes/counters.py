"""Rate-limit counters that every web process and replica shares, kept in the database.

Without Redis, django-ratelimit would count in each process's local memory: with four
workers a client gets four allowances. Django's database cache is shared and survives
restarts, but its `incr` is a read followed by a write, so two workers counting at the same
moment would both write the same number and a request would go uncounted (django-ratelimit's
own system check rejects it for that reason). This cache makes the increment atomic.
"""

import base64
import pickle
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now


class CounterDatabaseCache(DatabaseCache):
    """Django's database cache with an increment that no concurrent request can lose."""

    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self.table = table

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        # A counter that exists is the common case: answer it with one indexed read instead
        # of the parent's count of the whole table (done to cull) before its own read.
        if self.has_key(key, version=version):
            return False
        return super().add(key, value, timeout, version=version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, column_key, column_value, column_expires = map(
            quote, [self.table, "cache_key", "value", "expires"]
        )
        # PostgreSQL locks the row; SQLite serializes writers (the settings open every
        # transaction IMMEDIATE), so no other increment reads between our read and write.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        current = connection.ops.adapt_datetimefield_value(
            now().replace(microsecond=0, tzinfo=None)
        )
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column_value} FROM {table} "
                f"WHERE {column_key} = %s AND {column_expires} > %s{lock}",
                [key, current],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {column_value} = %s WHERE {column_key} = %s",
                [encoded, key],
            )
        return value
