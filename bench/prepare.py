"""What the load tests send: attempts with sessions and CSRF cookies, prepared in bulk."""

from __future__ import annotations

import secrets
import string
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from bench.load import RequestList
from quizzes.models import Attempt, Quiz
from quizzes.opaque import field_name, new_key, time_field_name
from quizzes.selectors.attempt_state import facts_of
from quizzes.services.attempts import draw_layout, save_answers
from quizzes.services.revisions import current_revision

SESSION_ATTEMPTS = "quizzes.attempts"  # quizzes.views.session.SESSION_ATTEMPTS


def csrf_secret() -> str:
    """A CSRF cookie value; Django accepts the unmasked secret as the form token too."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def sessions_for(attempts: list[Attempt]) -> list[str]:
    """One browser session per attempt, granting access to it, created in bulk."""
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    sessions = [
        Session(
            session_key=secrets.token_hex(16),
            session_data=store.encode({SESSION_ATTEMPTS: [str(attempt.public_id)]}),
            expire_date=expire,
        )
        for attempt in attempts
    ]
    Session.objects.bulk_create(sessions, batch_size=2000)
    return [session.session_key for session in sessions]


def new_attempts(quiz: Quiz, count: int) -> list[Attempt]:
    """Started, unanswered attempts, like a cohort that just opened its invite links."""
    revision = current_revision(quiz)
    questions = revision.content["questions"]
    layout = draw_layout(revision.content, shuffle_questions=False, shuffle_options=False)
    question_ids = [question["id"] for question in questions]
    option_ids = [option["id"] for question in questions for option in question["options"]]
    now = timezone.now()
    attempts = [
        Attempt(
            quiz=quiz,
            revision=revision,
            candidate_name=f"Load {n}",
            candidate_email=f"load{n}@example.com",
            layout=layout,
            token_key=new_key(question_ids, option_ids),
            started_at=now,
            max_score=sum(Decimal(q["points"]) for q in revision.content["questions"]),
        )
        for n in range(count)
    ]
    created = Attempt.objects.bulk_create(attempts, batch_size=2000)
    # As a start leaves them: the fixed facts cached (shared with the server only through
    # Redis, when REDIS_URL is set; see services.attempts.start_attempt).
    for attempt in created:
        facts_of(attempt)
    return created


def answer_body(attempt: Attempt, csrf: str) -> str:
    """A full answer sheet: the first option of every question, plus the CSRF token."""
    pairs = [("csrfmiddlewaretoken", csrf)]
    tokens = attempt.tokens
    for question in attempt.revision.content["questions"]:
        field = field_name(tokens.question(question["id"]))
        pairs.append((field, tokens.option(question["options"][0]["id"])))
    return urlencode(pairs)


def autosave_body(attempt: Attempt, csrf: str) -> str:
    """What the page's background save sends after a few answers: 5 questions, timings."""
    pairs = [("csrfmiddlewaretoken", csrf), ("seq", "1"), ("focus_lost", "1")]
    tokens = attempt.tokens
    for question in attempt.revision.content["questions"][:5]:
        question_token = tokens.question(question["id"])
        pairs.append((field_name(question_token), tokens.option(question["options"][-1]["id"])))
        pairs.append((time_field_name(question_token), "20"))
    return urlencode(pairs)


def staff_session() -> str:
    """A logged-in superuser's session, for the recruiter pages."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    user = get_user_model().objects.create_superuser(
        username=f"bench-{secrets.token_hex(4)}", email="", password=secrets.token_urlsafe(16)
    )
    backends = settings.AUTHENTICATION_BACKENDS
    backend = next((b for b in backends if b.endswith("ModelBackend")), backends[0])
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def api_attempts_requests() -> RequestList | str:
    """GET /api/v1/attempts pages with a superuser's token (attempts:read), walking the list.

    Each request asks for a different page (the cursor of every 50th attempt), so the load
    reads across the whole table the way an ATS syncing results would.
    """
    from django.contrib.auth import get_user_model

    if url_or_none("api:list_attempts") is None:
        return "no API on this branch"
    from quizzes.api.attempts import encode_cursor
    from quizzes.services.api_tokens import create_api_token

    user = get_user_model().objects.create_superuser(
        username=f"bench-api-{secrets.token_hex(4)}", email="", password=secrets.token_urlsafe(16)
    )
    _row, token = create_api_token(user=user, name="bench", scopes=["attempts:read"])
    path = reverse("api:list_attempts")
    ids = list(Attempt.objects.order_by("pk").values_list("pk", flat=True)[::50][:2000])
    entries = [(path, "")] + [(f"{path}?cursor={encode_cursor(pk)}", "") for pk in ids]
    return RequestList("GET", "", entries, authorization=f"Bearer {token}")


def url_or_none(name: str, **kwargs) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def cookie(session_key: str, csrf: str) -> str:
    return f"sessionid={session_key}; csrftoken={csrf}"


def candidate_requests(
    quiz: Quiz, *, submit_pool: int, autosave_pool: int
) -> dict[str, RequestList | str]:
    """Request lists per endpoint; a string instead says why an endpoint is skipped."""
    csrf = csrf_secret()
    # Attempt page: an attempt in progress with half of its answers saved.
    (open_attempt,) = new_attempts(quiz, 1)
    questions = open_attempt.revision.content["questions"]
    save_answers(
        attempt_id=open_attempt.pk,
        selections={q["id"]: [q["options"][1]["id"]] for q in questions[: len(questions) // 2]},
    )
    (open_key,) = sessions_for([open_attempt])
    # Result page: one of the seeded submitted attempts (full review policy).
    submitted = Attempt.objects.filter(quiz=quiz, state=Attempt.State.SUBMITTED).first()
    (submitted_key,) = sessions_for([submitted])
    # Submit: one fresh attempt per request, so every request grades for real.
    pool = new_attempts(quiz, submit_pool)
    pool_keys = sessions_for(pool)
    lists: dict[str, RequestList | str] = {}
    # Autosave: also one fresh attempt per request, so every save writes its answers.
    if url_or_none("quizzes:autosave", public_id=open_attempt.public_id):
        savers = new_attempts(quiz, autosave_pool)
        lists["autosave POST"] = RequestList(
            "POST",
            "",
            [
                (
                    reverse("quizzes:autosave", kwargs={"public_id": a.public_id}),
                    cookie(k, csrf),
                    autosave_body(a, csrf),
                )
                for a, k in zip(savers, sessions_for(savers), strict=True)
            ],
        )
    else:
        lists["autosave POST"] = "no autosave endpoint on this branch"
    staff = None
    for name, url in [
        ("recruiter attempts list", url_or_none("quizzes:review_attempts")),
        ("statistics page", url_or_none("quizzes:review_statistics", slug=quiz.slug)),
    ]:
        if url is None:
            lists[name] = "not on this branch yet (the review issue adds it)"
            continue
        staff = staff or staff_session()
        lists[name] = RequestList("GET", "", [(url, cookie(staff, csrf))])
    lists["API attempts list"] = api_attempts_requests()
    return lists | {
        "quiz page": RequestList("GET", "", [(quiz.get_absolute_url(), "")]),
        "attempt page": RequestList(
            "GET", "", [(open_attempt.get_absolute_url(), cookie(open_key, csrf))]
        ),
        "submit POST": RequestList(
            "POST",
            "",
            [
                (attempt.get_absolute_url(), cookie(key, csrf), answer_body(attempt, csrf))
                for attempt, key in zip(pool, pool_keys, strict=True)
            ],
        ),
        "result page": RequestList(
            "GET",
            "",
            [
                (
                    reverse("quizzes:result", kwargs={"public_id": submitted.public_id}),
                    cookie(submitted_key, csrf),
                )
            ],
        ),
    }
