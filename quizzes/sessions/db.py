"""Django's database session store, a new session inserted without a query before."""

from django.contrib.sessions.backends import db

from quizzes.sessions import KeyCheckedByInsert


class SessionStore(KeyCheckedByInsert, db.SessionStore):
    pass
