"""Forged and malformed requests: 400 with a clear message, nothing stored.

tests/views/test_candidate_flow.py covers an option of another question, a question of
another quiz and values that are no option token on the status code; these add the
remaining forgeries and check the message and that nothing at all was written.
"""

import pytest

from quizzes.models import Answer, Attempt, Option
from quizzes.services.attempts import start_attempt
from tests.builders import ALL_RIGHT, answer_field, answer_post, make_quiz

pytestmark = pytest.mark.django_db

REFUSED_RU = "Ответы не приняты"


def assert_nothing_stored(attempt):
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert attempt.score is None
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_option_of_another_quiz_is_refused(client, quiz, start):
    other = make_quiz(title="Другой")
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    foreign = other.questions.get(position=2).options.first()

    response = client.post(
        attempt.get_absolute_url(),
        {answer_field(attempt, q2.id): attempt.tokens.option(foreign.id)},
    )

    assert response.status_code == 400
    assert REFUSED_RU in response.content.decode()
    assert_nothing_stored(attempt)


def test_option_added_after_the_attempt_started_is_refused(client, quiz, start):
    # The attempt answers its own revision; an option that exists now but was not
    # presented to this candidate is as foreign as one from another attempt.
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    newer = Option.objects.create(question=q2, position=99, text="New", verdict="correct")
    later = start_attempt(quiz=quiz, candidate_name="B", candidate_email="b@example.com")
    assert newer.id in later.layout["options"][str(q2.id)]

    response = client.post(
        attempt.get_absolute_url(), {answer_field(attempt, q2.id): attempt.tokens.option(newer.id)}
    )

    assert response.status_code == 400
    assert_nothing_stored(attempt)


def test_question_not_in_the_attempt_is_refused_with_its_reason(client, quiz, start):
    other = make_quiz(title="Другой")
    attempt = start(quiz)
    data = answer_post(attempt, ALL_RIGHT)
    foreign = other.questions.get(position=1)
    data[answer_field(attempt, foreign.id)] = [attempt.tokens.option(foreign.options.first().id)]

    response = client.post(attempt.get_absolute_url(), data)

    assert response.status_code == 400
    assert "Ответ относится к вопросу, которого нет на этой странице." in (
        response.content.decode()
    )
    assert_nothing_stored(attempt)


def test_a_repeated_option_is_refused(client, quiz, start):
    attempt = start(quiz)
    q1 = quiz.questions.get(position=1)
    option = attempt.tokens.option(q1.options.first().id)

    response = client.post(
        attempt.get_absolute_url(), {answer_field(attempt, q1.id): [option, option]}
    )

    assert response.status_code == 400
    assert "Вариант ответа отправлен дважды." in response.content.decode()
    assert_nothing_stored(attempt)


def test_two_options_for_a_single_choice_question_are_refused(client, quiz, start):
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    first, second = (attempt.tokens.option(o.id) for o in q2.options.all()[:2])

    response = client.post(
        attempt.get_absolute_url(), {answer_field(attempt, q2.id): [first, second]}
    )

    # Django's ChoiceField would silently keep the last value and grade it.
    assert response.status_code == 400
    assert "На вопрос с одним вариантом ответа пришло несколько ответов." in (
        response.content.decode()
    )
    assert_nothing_stored(attempt)


@pytest.mark.parametrize("value", ["abc", "1e3", "-1", "0x10", "１", "9" * 40])
def test_option_values_that_are_no_token_of_the_question_are_refused(client, quiz, start, value):
    attempt = start(quiz)
    q1 = quiz.questions.get(position=1)

    response = client.post(attempt.get_absolute_url(), {answer_field(attempt, q1.id): value})

    assert response.status_code == 400
    assert REFUSED_RU in response.content.decode()
    assert_nothing_stored(attempt)


@pytest.mark.parametrize("key", ["q_abc", "q_", "q_-1", "q_" + "9" * 40])
def test_malformed_question_keys_are_refused(client, quiz, start, key):
    attempt = start(quiz)
    response = client.post(attempt.get_absolute_url(), {key: "1"})
    assert response.status_code == 400
    assert_nothing_stored(attempt)


def test_a_huge_body_is_refused_with_a_clear_page(client, quiz, start, settings):
    attempt = start(quiz)
    data = answer_post(attempt, ALL_RIGHT)
    data["padding"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post(attempt.get_absolute_url(), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Отправленная форма слишком большая." in html
    assert "Ничего не сохранено" in html
    assert_nothing_stored(attempt)


def test_too_many_fields_are_refused_with_a_clear_page(client, quiz, start, settings):
    attempt = start(quiz)
    data = answer_post(attempt, ALL_RIGHT)
    data.update({f"x{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)})

    response = client.post(attempt.get_absolute_url(), data)

    assert response.status_code == 400
    assert "В отправленной форме слишком много полей." in response.content.decode()
    assert_nothing_stored(attempt)


def test_the_size_limits_leave_room_for_a_large_quiz(settings):
    # 200 multiple-choice questions with every one of 6 options ticked, plus the token.
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS >= 200 * 6 + 1


def test_non_utf8_answer_bytes_are_refused(client, quiz, start):
    attempt = start(quiz)
    q1 = quiz.questions.get(position=1)
    body = f"{answer_field(attempt, q1.id)}=%FF%FE".encode()

    response = client.post(
        attempt.get_absolute_url(), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert "не являются корректным текстом UTF-8" in response.content.decode()
    assert_nothing_stored(attempt)


@pytest.mark.parametrize("raw_name", [b"%C0%AF", b"\xff\xfe", b"Anna%ED%A0%80"])
def test_non_utf8_candidate_name_is_refused_and_no_attempt_is_created(client, quiz, raw_name):
    body = b"candidate_name=" + raw_name + b"&candidate_email=a%40example.com"

    response = client.post(
        quiz.get_absolute_url(), body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert not Attempt.objects.exists()


def test_valid_utf8_names_are_still_accepted(client, quiz):
    body = "candidate_name=Анна+Ёлкина&candidate_email=a%40example.com".encode()
    response = client.post(
        quiz.get_absolute_url(), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert Attempt.objects.get().candidate_name == "Анна Ёлкина"


def test_the_400_page_speaks_english_on_request(client, quiz):
    response = client.post(
        quiz.get_absolute_url(),
        b"candidate_name=%FF",
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The form you sent contains bytes that are not valid UTF-8 text." in (
        response.content.decode()
    )


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex_codec", "no-such-charset", "latin-1"])
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=bb", b"--bb--\r\n"),
        ("application/x-www-form-urlencoded", b"candidate_name=A&candidate_email=a%40example.com"),
    ],
)
def test_a_form_declared_in_another_charset_is_refused_not_a_crash(
    client, quiz, charset, content_type, body
):
    # generic(): the test client's post() would itself try to encode in that charset.
    response = client.generic(
        "POST", quiz.get_absolute_url(), body, content_type=f"{content_type}; charset={charset}"
    )

    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_form_declared_in_utf8_is_accepted(client, quiz):
    body = "candidate_name=Анна&candidate_email=a%40example.com".encode()
    response = client.post(
        quiz.get_absolute_url(),
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code == 302
    assert Attempt.objects.get().candidate_name == "Анна"
