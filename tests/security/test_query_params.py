"""Query parameters and path values a client makes up: a 400 or a visible message, never a 500.

Each case here was a 500 (or a CSV export that stopped mid-stream); test_query_fuzz.py
throws arbitrary text at every parameter of the same pages.
"""

import pytest
from django.contrib.auth.models import Group
from django.http import StreamingHttpResponse
from django.urls import reverse

from quizzes.models import Invite
from tests.builders import make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

LIST = reverse("quizzes:review_attempts")
EXPORT = reverse("quizzes:review_export")
NOT_APPLIED = "Фильтры с ошибками не применяются."


@pytest.fixture
def recruiter_client(client, django_user_model):
    user = django_user_model.objects.create_user("rita", "rita@x.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    client.force_login(user)
    return client


@pytest.fixture
def two_attempts(quiz):
    return finish(quiz, {}, name="Анна"), finish(quiz, {}, name="Борис", email="b@x.org")


# --- invite links ----------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["%00", "abc%00def", "%C3%A9t%C3%A9", "a" * 65, "a.b"])
def test_a_link_that_cannot_be_a_token_is_an_unknown_invite(client, quiz, token):
    Invite.objects.create(quiz=quiz, candidate_email="anna@example.com")

    response = client.get(f"/invite/{token}/")

    # PostgreSQL refuses a NUL byte in a query: this was a 500 there.
    assert response.status_code == 404
    assert "Ссылка-приглашение не найдена" in response.content.decode()


# --- the attempts list and its export ------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field_error"),
    [
        # "²".isdigit() is true, int("²") is an error.
        ({"invite": "²"}, "Выберите фильтр приглашения из списка."),
        ({"invite": "9" * 30}, "Выберите фильтр приглашения из списка."),
        ({"invite": "0"}, "Выберите фильтр приглашения из списка."),
        ({"started_to": "9999-12-31"}, "Введите дату между 2000-01-01 и 2999-12-31."),
        ({"started_from": "0001-01-01"}, "Введите дату между 2000-01-01 и 2999-12-31."),
        ({"q": "Анна\x00"}, "Данные содержат запрещённый символ: ноль-байт"),
    ],
)
def test_a_malformed_filter_is_shown_and_not_applied(
    recruiter_client, two_attempts, params, field_error
):
    response = recruiter_client.get(LIST, params)

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_APPLIED in html
    assert field_error in html
    # The other filters still work, and the broken one filters nothing out.
    assert len(response.context["page_obj"].object_list) == 2
    # The export link is not offered for filters that would be refused.
    assert EXPORT not in html


@pytest.mark.parametrize(
    "params",
    [
        {"started_to": "9999-12-31"},
        {"started_from": "0001-01-01"},
        {"invite": "²"},
        {"percent_min": "1e999999"},
        {"quiz": "9" * 30},
    ],
)
def test_the_export_refuses_malformed_filters_before_streaming(
    recruiter_client, two_attempts, params
):
    response = recruiter_client.get(EXPORT, params)

    # Refused whole, with a page saying why: not a CSV cut off after its header.
    assert response.status_code == 400
    assert not isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Фильтры заданы с ошибками, поэтому ничего не выгружено" in html


def test_the_export_with_valid_dates_still_streams(recruiter_client, two_attempts):
    response = recruiter_client.get(
        EXPORT, {"started_from": "2000-01-01", "started_to": "2999-12-31"}
    )
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    assert "Анна" in body and "Борис" in body


@pytest.mark.parametrize("page", ["²", "9" * 5000, "-1", "1e9", "\x00"])
def test_an_odd_page_number_shows_a_page(recruiter_client, two_attempts, page):
    response = recruiter_client.get(LIST, {"page": page})
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2


# --- statistics ----------------------------------------------------------------------------


MISSING_VERSION = "Запрошенная версия вопросов не найдена; показана последняя."


@pytest.mark.parametrize("version", ["²", "9" * 30, "-1", "x\x00"])
def test_an_unknown_statistics_version_shows_the_newest_and_says_so(
    recruiter_client, quiz, two_attempts, version
):
    url = reverse("quizzes:review_statistics", kwargs={"slug": quiz.slug})

    response = recruiter_client.get(url, {"version": version})

    assert response.status_code == 200
    html = response.content.decode()
    assert MISSING_VERSION in html
    assert response.context["report"].stats.attempts == 2


def test_the_shown_statistics_version_has_no_warning(recruiter_client, quiz, two_attempts):
    url = reverse("quizzes:review_statistics", kwargs={"slug": quiz.slug})
    revision = two_attempts[0].revision_id

    response = recruiter_client.get(url, {"version": str(revision)})

    assert response.status_code == 200
    assert MISSING_VERSION not in response.content.decode()


@pytest.mark.parametrize("version", ["²", "9" * 30, "12345"])
def test_a_chart_of_a_version_that_is_not_there_is_not_found(
    recruiter_client, quiz, two_attempts, version
):
    question = quiz.questions.get(position=1)
    histogram = reverse("quizzes:review_histogram", kwargs={"slug": quiz.slug})
    options = reverse(
        "quizzes:review_option_chart", kwargs={"slug": quiz.slug, "question_id": question.id}
    )

    assert recruiter_client.get(histogram, {"version": version}).status_code == 404
    assert recruiter_client.get(options, {"version": version}).status_code == 404
    revision = str(two_attempts[0].revision_id)
    assert recruiter_client.get(histogram, {"version": revision}).status_code == 200
    assert recruiter_client.get(options, {"version": revision}).status_code == 200


# --- the paged attempt page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "shown"),
    [("²", 1), ("9" * 30, 3), ("9" * 5000, 1), ("-4", 1), ("\x00", 1), ("2", 2)],
)
def test_an_odd_question_number_shows_a_question_of_the_attempt(client, start, q, shown):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)

    response = client.get(attempt.get_absolute_url(), {"q": q})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Вопрос {shown} из 3" in html
    assert (
        f'value="{shown}" formnovalidate'
        in html.split('aria-current="step"')[0].rsplit("<li>", 1)[-1]
    )


@pytest.mark.parametrize(("goto", "target"), [("²", 2), ("9" * 30, 3), ("3", 3)])
def test_an_odd_navigator_button_goes_to_a_question_of_the_attempt(client, start, goto, target):
    # A malformed `goto` is ignored (the page posted from stays), a huge one is the last.
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)

    response = client.post(attempt.get_absolute_url(), {"page": "2", "goto": goto})

    assert response.status_code == 302
    assert response["Location"] == f"{attempt.get_absolute_url()}?q={target}"
