"""Arbitrary text in every GET parameter of the review pages and the candidate pages: no 500.

The test client re-raises a view's exception, so a crash fails the example outright; a
streamed CSV is read to its end, so an error half-way through fails it too.
"""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.forms import AttemptFilterForm
from quizzes.models import Invite
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

# Text a client can send: any character but lone surrogates (they cannot be encoded).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
NASTY = st.sampled_from(
    [
        "\x00",
        "1\x00",
        "²",
        "١٢",
        "𝟘",
        "Ⅻ",
        "9" * 30,
        "9" * 5000,
        str(2**63),
        str(-(2**63) - 1),
        "1e999999",
        "NaN",
        "-0",
        "0x1F",
        " 1 ",
        "9999-12-31",
        "0001-01-01",
        "31.12.9999",
        "2024-02-30",
        "%00",
        "\ud7ff\ue000\uffff",
    ]
)
VALUE = st.one_of(TEXT, NASTY, st.integers().map(str))
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FILTERS = [*AttemptFilterForm.base_fields, "page"]


def query(names):
    """Some of these parameters (maybe repeated) with fuzzed values, plus a stray one."""
    value = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))
    return st.dictionaries(st.sampled_from([*names, "stray"]), value, max_size=len(names) + 1)


@pytest.fixture
def site(settings, django_user_model):
    """A paged quiz with finished attempts, an invite and an open attempt in a browser."""
    settings.RATE_LIMITS = {}  # the fuzzer is one client sending hundreds of requests
    quiz = make_quiz(access="public", navigation="paged")
    for name in ("Анна", "Борис"):
        finish(quiz, {1: ["MaxPooling"]}, name=name, email=f"{name}@example.com")
    invite = Invite.objects.create(quiz=quiz, candidate_email="c@example.com")
    recruiter = django_user_model.objects.create_user("rita", "r@x.org", "pw", is_staff=True)
    recruiter.groups.add(Group.objects.get(name="Recruiters"))
    staff = Client()
    staff.force_login(recruiter)
    candidate = Client()
    candidate.post(quiz.get_absolute_url(), {"candidate_name": "Ц", "candidate_email": "c@x.org"})
    attempt = quiz.attempts.get(candidate_email="c@x.org")
    finished = quiz.attempts.filter(candidate_email="Анна@example.com").get()
    return {
        "quiz": quiz,
        "invite": invite,
        "staff": staff,
        "candidate": candidate,
        "attempt": attempt,
        "finished": finished,
        "question": quiz.questions.get(position=1),
    }


def get(client, url, params):
    response = client.get(url, params)
    if isinstance(response, StreamingHttpResponse):
        b"".join(response.streaming_content)
    assert response.status_code < 500, (url, params, response.status_code)
    return response


REVIEW_PAGES = {
    "list": (lambda s: reverse("quizzes:review_attempts"), FILTERS),
    "export": (lambda s: reverse("quizzes:review_export"), [*FILTERS, "delimiter"]),
    "export xlsx": (lambda s: reverse("quizzes:review_export_xlsx"), FILTERS),
    "compare": (lambda s: reverse("quizzes:review_compare"), ["ids"]),
    "report": (
        lambda s: reverse("quizzes:review_report", kwargs={"public_id": s["finished"].public_id}),
        ["page", "ids"],
    ),
    "statistics": (
        lambda s: reverse("quizzes:review_statistics", kwargs={"slug": s["quiz"].slug}),
        ["version"],
    ),
    "histogram": (
        lambda s: reverse("quizzes:review_histogram", kwargs={"slug": s["quiz"].slug}),
        ["version"],
    ),
    "option chart": (
        lambda s: reverse(
            "quizzes:review_option_chart",
            kwargs={"slug": s["quiz"].slug, "question_id": s["question"].id},
        ),
        ["version"],
    ),
    "detail": (
        lambda s: reverse("quizzes:review_attempt", kwargs={"public_id": s["finished"].public_id}),
        ["version", "page", "q"],
    ),
}


@pytest.mark.parametrize("page", sorted(REVIEW_PAGES))
def test_review_pages_survive_any_query(site, page):
    url_of, names = REVIEW_PAGES[page]
    url = url_of(site)

    @EXAMPLES
    @given(params=query(names))
    def check(params):
        get(site["staff"], url, params)

    check()


CANDIDATE_PAGES = {
    "home": (lambda s: reverse("quizzes:home"), ["q", "page"]),
    "quiz page": (lambda s: s["quiz"].get_absolute_url(), ["q", "page"]),
    "invite start": (lambda s: reverse("quizzes:invite_start"), ["q", "token"]),
    "attempt page": (lambda s: s["attempt"].get_absolute_url(), ["q", "page", "goto"]),
    "submit confirmation": (
        lambda s: reverse("quizzes:confirm_submit", kwargs={"public_id": s["attempt"].public_id}),
        ["q", "page"],
    ),
    "result": (
        lambda s: reverse("quizzes:result", kwargs={"public_id": s["attempt"].public_id}),
        ["q"],
    ),
}


@pytest.mark.parametrize("page", sorted(CANDIDATE_PAGES))
def test_candidate_pages_survive_any_query(site, page):
    url_of, names = CANDIDATE_PAGES[page]
    url = url_of(site)

    @EXAMPLES
    @given(params=query(names))
    def check(params):
        get(site["candidate"], url, params)

    check()


@EXAMPLES
@given(token=st.one_of(TEXT, NASTY))
def test_invite_links_survive_any_token(site, token):
    # Percent-encoded as a browser would send it; "/" cannot be part of the path value.
    response = get(Client(), f"/invite/{quote(token, safe='')}/", {})
    if token != site["invite"].token:
        assert response.status_code in {404, 301, 302}
