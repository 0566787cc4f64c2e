"""Query discipline: candidate pages cost a fixed number of queries.

Each page is measured on a quiz of 1 question and of 40 questions × 5 options, with other
candidates' attempts present, and must stay under the same bound for both.
"""

import pytest
from django import forms
from django.urls import reverse

from quizzes.models import Attempt
from quizzes.opaque import field_name, option_element_id
from quizzes.rendering import stored_html
from quizzes.selectors.answering import forget_answer_keys
from quizzes.selectors.candidate import presented_questions
from quizzes.services.attempts import save_answers, start_attempt, submit_attempt
from tests.builders import (
    RATE_LIMIT_QUERIES,
    answer_field,
    make_large_quiz,
    time_field,
    warm_hot_path,
)

pytestmark = pytest.mark.django_db

SIZES = [1, 40]
# Budgets of rate-limited requests (start, submit, autosave) are the view's own queries plus
# the counter's (tests/builders.py): without Redis it is a database table, and these tests
# run without Redis.


def other_attempts(quiz, count=3):
    """Attempts of other candidates (submitted, with answers), which pages must not load."""
    for n in range(count):
        attempt = start_attempt(
            quiz=quiz, candidate_name=f"Other {n}", candidate_email=f"other{n}@example.com"
        )
        first = attempt.revision.content["questions"][0]
        submit_attempt(attempt_id=attempt.pk, selections={first["id"]: [first["options"][0]["id"]]})


def all_answers(attempt: Attempt) -> dict:
    """POST data choosing the first option of every question."""
    return {
        answer_field(attempt, question["id"]): [attempt.tokens.option(question["options"][0]["id"])]
        for question in attempt.revision.content["questions"]
    }


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}q")
def big_quiz(request):
    quiz = make_large_quiz(
        access="public",
        review_after_attempt="full",
        questions=request.param,
        options=5,
        title=f"Q{request.param}",
    )
    other_attempts(quiz)
    return quiz


def test_quiz_page_queries_do_not_grow_with_questions(
    client, big_quiz, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(big_quiz.get_absolute_url())
    assert f'data-question-count="{big_quiz.questions.count()}"' in response.content.decode()


def test_start_pages_of_a_returning_browser_take_a_fixed_number_of_queries(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    # Session, quiz, this browser's open attempts (the resume offer).
    with django_assert_max_num_queries(3):
        page = client.get(big_quiz.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(3):
        home = client.get("/").content.decode()
    assert page.count(attempt.get_absolute_url()) == home.count(attempt.get_absolute_url()) == 1


def test_start_queries_do_not_grow_with_questions(client, big_quiz, django_assert_max_num_queries):
    # Quiz; in a transaction (2 savepoints under the test's own transaction) the candidate
    # lock (PostgreSQL only) and their earlier attempts (none: no grants to count),
    # questions, options, revision lookup, insert; then 3 to insert the new session.
    with django_assert_max_num_queries(12 + RATE_LIMIT_QUERIES):
        response = client.post(
            big_quiz.get_absolute_url(),
            {"candidate_name": "Анна", "candidate_email": "anna@example.com"},
        )
    assert response.status_code == 302
    assert Attempt.objects.filter(candidate_email="anna@example.com").count() == 1


def test_attempt_page_takes_at_most_three_queries(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    questions = attempt.revision.content["questions"]
    save_answers(
        attempt_id=attempt.pk,
        selections={q["id"]: [q["options"][1]["id"]] for q in questions},
    )
    # Session, the attempt with its answers, and on the revision's first view its content.
    with django_assert_max_num_queries(3):
        response = client.get(attempt.get_absolute_url())
    html = response.content.decode()
    assert html.count("<fieldset") == len(questions)
    # The saved choices are shown as checked, one per question.
    assert html.count("checked") == len(questions)


# The view's own queries of a submit, in the test's transaction: the session; then, in the
# service's transaction (a savepoint and its release here), the locked attempt with its
# saved answers, every answer with its grade in one statement, the attempt's result. The
# attempt's facts and its revision's answer key come from caches (warm_hot_path).
SUBMIT_QUERIES = 6
# Of an autosave: the session; in the transaction (savepoint, release) the guarded update
# of the attempt (save number, signals, row lock) and the answers with their time.
AUTOSAVE_QUERIES = 5


def test_submit_takes_at_most_six_queries(client, big_quiz, start, django_assert_max_num_queries):
    attempt = start(big_quiz)
    warm_hot_path(attempt)
    data = all_answers(attempt)
    with django_assert_max_num_queries(SUBMIT_QUERIES + RATE_LIMIT_QUERIES):
        response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    questions = len(data)
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.answers.count() == questions
    # Option 1 is the correct one in make_large_quiz: every question fully right.
    assert attempt.score == attempt.max_score == attempt.marks_total == questions


def test_submit_over_autosaved_answers_takes_at_most_six_queries(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    warm_hot_path(attempt)
    questions = attempt.revision.content["questions"]
    save_answers(
        attempt_id=attempt.pk,
        selections={q["id"]: [q["options"][1]["id"]] for q in questions},
    )
    data = all_answers(attempt)
    with django_assert_max_num_queries(SUBMIT_QUERIES + RATE_LIMIT_QUERIES):
        response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == attempt.max_score == len(questions)


def test_a_cold_answer_key_costs_a_submit_one_query(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    warm_hot_path(attempt)
    data = all_answers(attempt)
    forget_answer_keys()  # a worker that has not seen this revision yet
    with django_assert_max_num_queries(SUBMIT_QUERIES + 1 + RATE_LIMIT_QUERIES):
        response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == attempt.max_score


def test_result_page_queries_do_not_grow_with_questions(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    client.post(attempt.get_absolute_url(), all_answers(attempt))
    with django_assert_max_num_queries(4):
        response = client.get(reverse("quizzes:result", kwargs={"public_id": attempt.public_id}))
    html = response.content.decode()
    assert html.count('class="card mb-3 reviewed-question"') == big_quiz.questions.count()
    assert html.count('data-chosen="true"') == big_quiz.questions.count()


class _IdsFromValues(forms.widgets.ChoiceWidget):
    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["id"] = option_element_id(str(value))
        return option


class _Radios(_IdsFromValues, forms.RadioSelect):
    pass


class _Checkboxes(_IdsFromValues, forms.CheckboxSelectMultiple):
    pass


def widget_tags(questions, tokens, chosen: dict[int, list[int]]) -> list[str]:
    """Each option input as Django's radio and checkbox widgets write it (Bootstrap's class,
    the element id from the option's token)."""
    tags = []
    for question in questions:
        widget_class = _Radios if question["kind"] == "single" else _Checkboxes
        widget = widget_class(
            attrs={"class": "form-check-input"},
            choices=[
                (tokens.option(o["id"]), stored_html(o["text_html"])) for o in question["options"]
            ],
        )
        name = field_name(tokens.question(question["id"]))
        value = [tokens.option(option_id) for option_id in chosen.get(question["id"], [])]
        # An id in the attributes, as a bound field passes one: the option replaces it.
        for group in widget.get_context(name, value, {"id": name})["widget"]["optgroups"]:
            for option in group[1]:
                tags.append(str(forms.boundfield.BoundWidget(widget, option, None).tag()))
    return tags


def test_written_out_option_inputs_match_djangos_widget_markup(client, start):
    # The attempt page writes option inputs out instead of rendering a widget template per
    # option (40 × 5 templates per page); the markup must stay exactly what Django's radio
    # and checkbox widgets write (with option ids from the option tokens, not positions).
    quiz = make_large_quiz(access="public", questions=2, options=3)
    attempt = start(quiz)
    questions = presented_questions(attempt)
    first = questions[0]["options"][0]["id"]
    expected = widget_tags(questions, attempt.tokens, {questions[0]["id"]: [first]})
    save_answers(attempt_id=attempt.pk, selections={questions[0]["id"]: [first]})

    html = client.get(attempt.get_absolute_url()).content.decode()

    assert len(expected) == 6 and sum(" checked" in tag for tag in expected) == 1
    for tag in expected:
        assert tag in html


def test_autosave_with_time_on_every_question_takes_a_fixed_number_of_queries(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    questions = attempt.revision.content["questions"]
    data = {"seq": "1", "focus_lost": "1"}
    for question in questions:
        data[answer_field(attempt, question["id"])] = [
            attempt.tokens.option(question["options"][0]["id"])
        ]
        data[time_field(attempt, question["id"])] = "7"
    url = reverse("quizzes:autosave", kwargs={"public_id": attempt.public_id})
    warm_hot_path(attempt)
    with django_assert_max_num_queries(AUTOSAVE_QUERIES + RATE_LIMIT_QUERIES):
        response = client.post(url, data)
    assert response.json() == {"saved": True, "stale": False, "seq": 1}
    answers = attempt.answers.all()
    assert len(answers) == len(questions)
    assert {(a.time_spent, len(a.selected)) for a in answers} == {(7, 1)}
    attempt.refresh_from_db()
    assert attempt.focus_lost_count == 1


def test_an_autosave_over_saved_answers_takes_as_many_queries(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    warm_hot_path(attempt)
    questions = attempt.revision.content["questions"]
    url = reverse("quizzes:autosave", kwargs={"public_id": attempt.public_id})
    client.post(url, {**all_answers(attempt), "seq": "1"})
    data = {"seq": "2", "copies": "2"}
    for question in questions:
        data[answer_field(attempt, question["id"])] = [
            attempt.tokens.option(question["options"][1]["id"])
        ]
        data[time_field(attempt, question["id"])] = "3"
    with django_assert_max_num_queries(AUTOSAVE_QUERIES + RATE_LIMIT_QUERIES):
        response = client.post(url, data)
    assert response.json() == {"saved": True, "stale": False, "seq": 2}
    chosen = {q["id"]: [q["options"][1]["id"]] for q in questions}
    assert dict(attempt.answers.values_list("question_id", "selected")) == chosen
    assert set(attempt.answers.values_list("time_spent", flat=True)) == {3}


def test_a_cold_answer_key_costs_an_autosave_one_query(
    client, big_quiz, start, django_assert_max_num_queries
):
    attempt = start(big_quiz)
    warm_hot_path(attempt)
    data = {**all_answers(attempt), "seq": "1"}
    forget_answer_keys()
    url = reverse("quizzes:autosave", kwargs={"public_id": attempt.public_id})
    with django_assert_max_num_queries(AUTOSAVE_QUERIES + 1 + RATE_LIMIT_QUERIES):
        response = client.post(url, data)
    assert response.json() == {"saved": True, "stale": False, "seq": 1}
