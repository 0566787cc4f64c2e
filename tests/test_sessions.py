"""New sessions: one insert, no query before it, and never a taken key."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

import quizzes.sessions
from quizzes.sessions import cached_db, db

pytestmark = pytest.mark.django_db

STORES = [db.SessionStore, cached_db.SessionStore]


def test_the_configured_session_store_is_ours():
    assert import_module(settings.SESSION_ENGINE).SessionStore in STORES


@pytest.mark.parametrize("store", STORES)
def test_a_new_session_is_created_by_its_insert_alone(store):
    session = store()
    session["quizzes.attempts"] = ["a"]
    with CaptureQueriesContext(connection) as queries:
        session.save()
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert reads == []
    assert store(session.session_key)["quizzes.attempts"] == ["a"]


@pytest.mark.parametrize("store", STORES)
def test_a_new_session_never_takes_the_key_of_another(store, monkeypatch):
    taken = store()
    taken["quizzes.attempts"] = ["someone else's"]
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(quizzes.sessions, "get_random_string", lambda *args: next(keys))

    session = store()
    session["quizzes.attempts"] = ["mine"]
    session.save()

    assert session.session_key == "k" * 32
    assert Session.objects.count() == 2
    assert store(taken.session_key)["quizzes.attempts"] == ["someone else's"]
    assert store(session.session_key)["quizzes.attempts"] == ["mine"]
