"""Users in each role, and finished attempts made through the services."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.services.attempts import start_attempt, submit_attempt


@pytest.fixture
def make_user(django_user_model):
    def _make(username, *, group=None, superuser=False, staff=True):
        if superuser:
            return django_user_model.objects.create_superuser(username, f"{username}@x.org", "pw")
        user = django_user_model.objects.create_user(
            username, f"{username}@x.org", "pw", is_staff=staff
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return _make


@pytest.fixture
def recruiter(make_user):
    return make_user("rita", group="Recruiters")


@pytest.fixture
def author(make_user):
    return make_user("artur", group="Authors")


@pytest.fixture
def superuser(make_user):
    return make_user("boss", superuser=True)


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


def finish(quiz, choices, *, name="Анна", email="anna@example.com", minutes=10, invite=None):
    """A submitted attempt answering {position: [option texts]}, started `minutes` ago."""
    attempt = start_attempt(quiz=quiz, candidate_name=name, candidate_email=email, invite=invite)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes)
    )
    selections = {}
    for position, texts in choices.items():
        question = quiz.questions.get(position=position)
        selections[question.id] = [question.options.get(text=text).id for text in texts]
    return submit_attempt(attempt_id=attempt.pk, selections=selections).attempt


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Statistics are cached; ids repeat between tests on rolled-back databases.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
