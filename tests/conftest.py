import importlib

import pytest
from django.urls import reverse

from tests.builders import make_quiz
from tests.mail import queued_tasks, smtp_server  # noqa: F401 (fixtures)
from tests.webhooks import webhook_receiver  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers are deliberately slow; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(request, django_db_blocker):
    from django.core.cache import cache, caches

    cache.clear()
    yield
    cache.clear()
    # Rate-limit counters live in a database table (quizzes/counters.py): rolled back after
    # an ordinary test, but neither rolled back nor flushed after a transactional one, where
    # they would count against the next test from the same address.
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if transactional:
        with django_db_blocker.unblock():
            caches["ratelimit"].clear()


@pytest.fixture
def quiz(db):
    """A quiz anyone can start from its page, with the full review right after the attempt.

    Not the defaults (invite only, a thank-you until the quiz closes): what most tests of
    the candidate pages take and read.
    """
    return make_quiz(access="public", review_after_attempt="full")


@pytest.fixture
def start(client):
    """Start an attempt through the candidate UI; returns the attempt."""

    def _start(quiz, name="Анна Иванова", email="anna@example.com"):
        from quizzes.models import Attempt

        response = client.post(
            reverse("quizzes:quiz_detail", kwargs={"slug": quiz.slug}),
            {"candidate_name": name, "candidate_email": email},
        )
        assert response.status_code == 302, response.content.decode()[:500]
        attempt = Attempt.objects.get(candidate_email=email, quiz=quiz)
        assert response["Location"] == attempt.get_absolute_url()
        return attempt

    return _start


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# The data migrations that give the groups (Authors, Recruiters) their permissions, in order.
ROLE_MIGRATIONS = [
    ("0002_roles", "create_roles"),
    ("0005_attempt_limits", "recruiters_grant_attempts"),
    ("0006_regrade_permission", "grant_to_recruiters"),
    ("0009_hiring_status_and_question_history", "grant_to_recruiters"),
    ("0013_api_tokens", "grant_to_roles"),
    ("0014_webhooks", "grant_to_recruiters"),
    ("0015_invitation_emails", "grant_to_recruiters"),
    ("0018_question_banks", "grant_banks_to_authors"),
]


@pytest.fixture
def roles(transactional_db):
    """The groups as migrations leave them: a transactional test before this one flushed them.

    The migrations' own functions run against the migrated state's models, so what the tests
    sign in with is exactly what `migrate` creates.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    state_apps = MigrationLoader(connection).project_state().apps
    for module, function in ROLE_MIGRATIONS:
        getattr(importlib.import_module(f"quizzes.migrations.{module}"), function)(state_apps, None)
