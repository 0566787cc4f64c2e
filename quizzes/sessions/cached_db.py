"""Django's cached database session store, a new session inserted without a query before."""

from django.contrib.sessions.backends import cached_db

from quizzes.sessions import KeyCheckedByInsert


class SessionStore(KeyCheckedByInsert, cached_db.SessionStore):
    pass
