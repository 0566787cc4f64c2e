"""Django's database session stores, creating a new session with one query instead of two.

Django draws a random key for a new session, asks the database whether it is taken, then
inserts it. The insert refuses a taken key by itself (`save(must_create=True)` raises
`CreateError`, and `create()` draws another key), so the question only costs a query on
every first visit, a candidate's start among them. `db` and `cached_db` are Django's
stores of the same names without it.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class KeyCheckedByInsert:
    """A new session key drawn without asking whether it is taken: its insert checks."""

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
