"""Paged navigation, background saves, the timer, integrity signals and query budgets."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Answer, Attempt
from quizzes.services.attempts import DEADLINE_GRACE, save_answers
from tests.builders import (
    ALL_RIGHT,
    RATE_LIMIT_QUERIES,
    answer_field,
    answer_post,
    make_large_quiz,
    make_quiz,
    option_ids,
    shown,
    time_field,
    warm_hot_path,
)

pytestmark = pytest.mark.django_db


def autosave_url(attempt):
    return reverse("quizzes:autosave", args=[attempt.public_id])


def q(quiz, position):
    return quiz.questions.get(position=position)


def saved(attempt):
    return {a.question_id: a.selected for a in Answer.objects.filter(attempt=attempt)}


# --- paged navigation ----------------------------------------------------------------------


def test_paged_quiz_shows_one_question_with_progress_and_navigator(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    html = client.get(attempt.get_absolute_url() + "?q=2").content.decode()

    assert html.count("<fieldset") == 1
    assert "Какое утверждение про Adam верное?" in html
    assert "Какие слои" not in html
    assert "Вопрос 2 из 3" in html
    assert '<progress class="w-100" value="2" max="3"' in html
    assert html.count('name="goto"') == 3
    assert 'value="2"' in html and 'aria-current="step"' in html
    assert 'value="prev"' in html and 'value="next"' in html


def test_next_saves_this_page_and_moves_on(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    data = {
        **answer_post(attempt, {1: ALL_RIGHT[1]}),
        "shown": shown(attempt, q(quiz, 1).id),
        "page": 1,
    }

    response = client.post(attempt.get_absolute_url(), {**data, "action": "next"})

    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url() + "?q=2"
    assert saved(attempt) == {q(quiz, 1).id: sorted(option_ids(quiz, 1, *ALL_RIGHT[1]))}
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    html = client.get(response["Location"]).content.decode()
    assert 'aria-label="Вопрос 1, есть ответ"' in html
    assert 'aria-label="Вопрос 3, нет ответа"' in html


def test_previous_and_navigator_keep_other_pages_answers(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    client.post(
        attempt.get_absolute_url(),
        {
            **answer_post(attempt, {1: ALL_RIGHT[1]}),
            "shown": shown(attempt, q(quiz, 1).id),
            "page": 1,
            "action": "next",
        },
    )
    response = client.post(
        attempt.get_absolute_url(),
        {
            **answer_post(attempt, {2: ALL_RIGHT[2]}),
            "shown": shown(attempt, q(quiz, 2).id),
            "page": 2,
            "action": "prev",
        },
    )
    assert response["Location"].endswith("?q=1")
    response = client.post(
        attempt.get_absolute_url(),
        {
            "shown": shown(attempt, q(quiz, 1).id),
            "page": 1,
            "goto": "3",
            **answer_post(attempt, {1: ALL_RIGHT[1]}),
        },
    )
    assert response["Location"].endswith("?q=3")
    assert set(saved(attempt)) == {q(quiz, 1).id, q(quiz, 2).id}
    html = client.get(attempt.get_absolute_url() + "?q=1").content.decode()
    assert html.count("checked") == 3  # the three saved options of question 1


def test_unticking_every_box_clears_a_saved_answer(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    client.post(
        attempt.get_absolute_url(),
        {
            **answer_post(attempt, {1: ["ReLU"]}),
            "shown": shown(attempt, q(quiz, 1).id),
            "action": "stay",
        },
    )
    client.post(
        attempt.get_absolute_url(), {"shown": shown(attempt, q(quiz, 1).id), "action": "stay"}
    )
    assert saved(attempt) == {q(quiz, 1).id: []}


def test_finish_on_the_last_page_grades_answers_from_every_page(client, start):
    quiz = make_quiz(access="public", review_after_attempt="score", navigation="paged")
    attempt = start(quiz)
    for position in (1, 2):
        client.post(
            attempt.get_absolute_url(),
            {
                **answer_post(attempt, {position: ALL_RIGHT[position]}),
                "shown": shown(attempt, q(quiz, position).id),
                "page": position,
                "action": "next",
            },
        )
    response = client.post(
        attempt.get_absolute_url(),
        {
            **answer_post(attempt, {3: ALL_RIGHT[3]}),
            "shown": shown(attempt, q(quiz, 3).id),
            "action": "finish",
        },
        follow=True,
    )
    assert 'data-score="3"' in response.content.decode()


def test_a_question_of_another_page_cannot_be_smuggled_in(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    response = client.post(
        attempt.get_absolute_url(),
        {
            **answer_post(attempt, {2: ALL_RIGHT[2]}),
            "shown": shown(attempt, q(quiz, 1).id),
            "action": "stay",
        },
    )
    assert response.status_code == 400
    response = client.post(attempt.get_absolute_url(), {"shown": ["999999"], "action": "stay"})
    assert response.status_code == 400
    assert saved(attempt) == {}


def test_save_and_continue_later_keeps_the_attempt_open(client, quiz, start):
    attempt = start(quiz)
    response = client.post(
        attempt.get_absolute_url(),
        {**answer_post(attempt, ALL_RIGHT), "action": "save"},
        follow=True,
    )
    assert "Ответы сохранены" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert len(saved(attempt)) == 3


# --- autosave --------------------------------------------------------------------------------


def test_autosave_stores_answers_and_reports_json(client, quiz, start):
    attempt = start(quiz)
    response = client.post(
        autosave_url(attempt), {**answer_post(attempt, {2: ALL_RIGHT[2]}), "seq": 5}
    )
    assert response.status_code == 200
    assert response.json() == {"saved": True, "stale": False, "seq": 5}
    assert saved(attempt) == {q(quiz, 2).id: option_ids(quiz, 2, *ALL_RIGHT[2])}


def test_stale_save_never_wins(client, quiz, start):
    attempt = start(quiz)
    right = answer_post(attempt, {3: ALL_RIGHT[3]})
    wrong = answer_post(attempt, {3: ["Переобучение"]})
    client.post(autosave_url(attempt), {**right, "seq": 20, "shown": shown(attempt, q(quiz, 3).id)})
    response = client.post(
        autosave_url(attempt), {**wrong, "seq": 19, "shown": shown(attempt, q(quiz, 3).id)}
    )
    # The page is told the number to continue after.
    assert response.json() == {"saved": False, "stale": True, "seq": 20}
    assert saved(attempt) == {q(quiz, 3).id: option_ids(quiz, 3, *ALL_RIGHT[3])}


def test_a_stale_save_keeps_the_newer_answer_but_counts_its_time_and_signals(client, quiz, start):
    attempt = start(quiz)
    q3 = q(quiz, 3)
    page = shown(attempt, q3.id)
    right = {**answer_post(attempt, {3: ALL_RIGHT[3]}), "shown": page}
    wrong = {**answer_post(attempt, {3: ["Переобучение"]}), "shown": page}
    client.post(autosave_url(attempt), {**right, "seq": 20, time_field(attempt, q3.id): 4})
    response = client.post(
        autosave_url(attempt),
        {**wrong, "seq": 19, "copies": 2, time_field(attempt, q3.id): 6},
    )
    assert response.json() == {"saved": False, "stale": True, "seq": 20}
    answer = Answer.objects.get(attempt=attempt, question_id=q3.id)
    assert (answer.selected, answer.time_spent) == (option_ids(quiz, 3, *ALL_RIGHT[3]), 10)
    attempt.refresh_from_db()
    assert (attempt.copy_count, attempt.save_seq) == (2, 20)


def test_autosave_counts_integrity_signals_and_time_per_question(client, quiz, start):
    attempt = start(quiz)
    q1, q2 = q(quiz, 1), q(quiz, 2)
    client.post(
        autosave_url(attempt),
        {
            "seq": 1,
            "focus_lost": 2,
            "hidden": 1,
            "copies": 3,
            "pastes": 0,
            time_field(attempt, q1.id): 40,
        },
    )
    # A stale save's answers are dropped but its signals still happened.
    client.post(
        autosave_url(attempt),
        {
            "seq": 1,
            "focus_lost": 1,
            "pastes": 4,
            time_field(attempt, q1.id): 5,
            time_field(attempt, q2.id): 7,
        },
    )
    attempt.refresh_from_db()
    assert (
        attempt.focus_lost_count,
        attempt.hidden_count,
        attempt.copy_count,
        attempt.paste_count,
    ) == (3, 1, 3, 4)
    times = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "time_spent"))
    assert times == {q1.id: 45, q2.id: 7}


@pytest.mark.parametrize(
    "bad", [{"focus_lost": -1}, {"copies": 100000}, {"seq": "x"}, {"t_1": 99999999}]
)
def test_autosave_rejects_forged_signal_values(client, quiz, start, bad):
    attempt = start(quiz)
    if "t_1" in bad:
        bad = {time_field(attempt, q(quiz, 1).id): bad["t_1"]}
    response = client.post(autosave_url(attempt), bad)
    assert response.status_code == 400
    attempt.refresh_from_db()
    assert attempt.focus_lost_count == 0 and attempt.copy_count == 0


def test_autosave_after_submit_says_closed_with_the_result_url(client, quiz, start):
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    response = client.post(autosave_url(attempt), answer_post(attempt, {3: ["Переобучение"]}))
    assert response.status_code == 409
    assert response.json() == {
        "closed": True,
        "result_url": reverse("quizzes:result", args=[attempt.public_id]),
    }


def test_autosave_needs_the_csrf_token_and_this_browsers_session(client, quiz, start):
    attempt = start(quiz)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post(autosave_url(attempt), {"seq": 1}).status_code == 403
    assert Client().post(autosave_url(attempt), {"seq": 1}).status_code == 404
    assert client.get(autosave_url(attempt)).status_code == 405


def test_page_form_carries_what_the_script_needs_and_no_inline_script(client, quiz, start):
    attempt = start(quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert f'data-autosave-url="{autosave_url(attempt)}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<script src="/static/quizzes/attempt.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html) and "style=" not in html


# --- time limit ----------------------------------------------------------------------------


def test_countdown_starts_from_the_server_computed_remaining_time(client, start):
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=10))
    attempt = start(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=125))
    html = client.get(attempt.get_absolute_url()).content.decode()
    remaining = int(re.search(r'data-remaining-seconds="(\d+)"', html).group(1))
    assert 120 <= remaining <= 125
    assert ">2:0" in html  # shown as m:ss before the script runs


def test_no_countdown_without_a_time_limit(client, quiz, start):
    attempt = start(quiz)
    assert "data-remaining-seconds" not in client.get(attempt.get_absolute_url()).content.decode()


def test_late_submit_keeps_the_answers_saved_in_time_and_says_time_ran_out(client, start):
    quiz = make_quiz(access="public", review_after_attempt="score", time_limit=timedelta(minutes=1))
    attempt = start(quiz)
    client.post(autosave_url(attempt), {**answer_post(attempt, {2: ALL_RIGHT[2]}), "seq": 1})
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - DEADLINE_GRACE - timedelta(seconds=1)
    )
    late = client.post(autosave_url(attempt), {**answer_post(attempt, {3: ALL_RIGHT[3]}), "seq": 2})
    assert late.status_code == 409

    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True)

    html = response.content.decode()
    assert "Время вышло" in html
    assert 'data-score="1"' in html
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.CLOSED


def test_opening_an_overdue_attempt_closes_it_and_shows_the_result(client, start):
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=1))
    attempt = start(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    response = client.get(attempt.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("quizzes:result", args=[attempt.public_id])
    assert "Время вышло" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.CLOSED


def test_answers_within_the_grace_period_are_graded_and_time_ran_out_is_said(client, start):
    # The countdown submits once the deadline has passed: its answers arrive in the grace.
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=1))
    attempt = start(quiz)
    deadline = timezone.now() - timedelta(seconds=5)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 3
    assert attempt.time_ran_out
    html = response.content.decode()
    shown_deadline = timezone.localtime(deadline).strftime("%H:%M")
    assert f"Время вышло в {shown_deadline}" in html
    assert "Оценены ответы, сохранённые к этому моменту" in html


def test_a_submit_before_the_deadline_says_nothing_of_time(client, start):
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=1))
    attempt = start(quiz)
    response = client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and not attempt.time_ran_out
    assert "Время вышло" not in response.content.decode()


def test_close_overdue_attempts_command_closes_only_overdue_ones_and_reports(start):
    # One browser starts all three: attempts are not limited here.
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=1), attempts_allowed=None)
    overdue = start(quiz, email="late@example.com")
    running = start(quiz, email="busy@example.com")
    untimed = start(make_quiz(access="public", title="Без лимита"), email="free@example.com")
    save_answers(
        attempt_id=overdue.pk,
        selections={q(quiz, 2).id: option_ids(quiz, 2, *ALL_RIGHT[2])},
    )
    Attempt.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - timedelta(minutes=2))

    out = StringIO()
    call_command("close_overdue_attempts", stdout=out)

    text = out.getvalue()
    assert "[1/1] closed attempt" in text and "late@example.com" in text
    assert "Closed 1 overdue attempt(s)" in text
    states = dict(Attempt.objects.values_list("pk", "state"))
    assert states == {overdue.pk: "closed", running.pk: "in_progress", untimed.pk: "in_progress"}
    overdue.refresh_from_db()
    assert overdue.score == 1

    again = StringIO()
    call_command("close_overdue_attempts", stdout=again)
    assert "No overdue attempts." in again.getvalue()


def test_close_overdue_attempts_dry_run_changes_nothing(start):
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=1))
    attempt = start(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=2))
    out = StringIO()
    call_command("close_overdue_attempts", "--dry-run", stdout=out)
    assert "1 overdue attempt(s) would be closed" in out.getvalue()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


# --- shuffling and review policy -----------------------------------------------------------


def test_shuffled_order_is_drawn_once_and_review_shows_the_same_order(client, start):
    quiz = make_large_quiz(
        access="public",
        review_after_attempt="full",
        questions=8,
        shuffle_questions=True,
        shuffle_options=True,
    )
    attempt = start(quiz)
    first = client.get(attempt.get_absolute_url()).content.decode()
    second = client.get(attempt.get_absolute_url()).content.decode()
    shown_order = re.findall(r"Question (\d+) with", first)
    assert shown_order == re.findall(r"Question (\d+) with", second)
    assert sorted(shown_order, key=int) == [str(n) for n in range(1, 9)]
    option_order = re.findall(r"<label[^>]*>Option (\d+\.\d+)", first)
    client.post(attempt.get_absolute_url(), {})
    review = client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    assert re.findall(r"Question (\d+) with", review) == shown_order
    chosen_or_not = r'class="choice">(?:<strong>[^<]*</strong> )?Option (\d+\.\d+)'
    assert re.findall(chosen_or_not, review) == option_order
    assert len(option_order) == 40


@pytest.mark.parametrize(
    ("policy", "score", "per_question", "verdicts"),
    [
        ("thanks", False, False, False),
        ("score", True, False, False),
        ("correctness", True, True, False),
        ("full", True, True, True),
    ],
)
def test_review_policy_decides_what_the_candidate_sees(
    client, start, policy, score, per_question, verdicts
):
    quiz = make_quiz(access="public", review_after_attempt=policy)
    attempt = start(quiz)
    html = client.post(
        attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT), follow=True
    ).content.decode()
    assert ("Спасибо" in html) is (not score)
    assert ('data-score="3"' in html) is score
    assert ('data-points="1"' in html) is per_question
    assert ("data-verdict" in html) is verdicts
    assert ("Объяснение <strong>1</strong>" in html) is verdicts


# --- staff see signals -----------------------------------------------------------------------


def test_admin_attempt_page_shows_signals_labelled_as_signals(
    client, quiz, start, django_user_model
):
    attempt = start(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(focus_lost_count=4, paste_count=2)
    Answer.objects.create(attempt=attempt, question_id=q(quiz, 1).id, selected=[], time_spent=93)
    staff = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(staff)
    html = client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk])).content.decode()
    assert "Сигналы добросовестности" in html
    assert "не доказательство списывания" in html
    assert "93" in html


# --- query budgets ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 40])
@pytest.mark.parametrize("navigation", ["all", "paged"])
def test_attempt_page_query_budget(client, start, django_assert_max_num_queries, count, navigation):
    quiz = make_large_quiz(access="public", questions=count, navigation=navigation)
    attempt = start(quiz)
    for question in quiz.questions.all()[:5]:
        Answer.objects.create(
            attempt=attempt, question_id=question.id, selected=[question.options.first().id]
        )
    # Session, the attempt with its answers; the first view of a revision's page also
    # reads the revision's content to build it (tests/views/test_attempt_page_built_once.py).
    with django_assert_max_num_queries(3):
        response = client.get(attempt.get_absolute_url())
    assert response.status_code == 200
    assert "Question 1 with" in response.content.decode()
    with django_assert_max_num_queries(2):
        assert client.get(attempt.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("count", [1, 40])
def test_submit_query_budget(client, start, django_assert_max_num_queries, count):
    quiz = make_large_quiz(access="public", questions=count)
    attempt = start(quiz)
    data = {
        answer_field(attempt, question.id): [attempt.tokens.option(question.options.first().id)]
        for question in quiz.questions.all()
    }
    warm_hot_path(attempt)
    # Session; savepoint, the locked attempt with its answers, the graded answers, the
    # attempt's result, release (tests/test_query_counts.py). The rate-limit counter is a
    # database table without Redis: its queries come on top.
    with django_assert_max_num_queries(6 + RATE_LIMIT_QUERIES):
        response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.answers.count() == count


@pytest.mark.parametrize("count", [1, 40])
def test_autosave_query_budget(client, start, django_assert_max_num_queries, count):
    quiz = make_large_quiz(access="public", questions=count)
    attempt = start(quiz)
    first = quiz.questions.first()
    data = {
        answer_field(attempt, first.id): [attempt.tokens.option(first.options.first().id)],
        "seq": 3,
        "focus_lost": 1,
        time_field(attempt, first.id): 4,
    }
    warm_hot_path(attempt)
    # Session; savepoint, the guarded update of the attempt, the answers, release. The
    # rate-limit counter (a database table without Redis) comes on top.
    with django_assert_max_num_queries(5 + RATE_LIMIT_QUERIES):
        response = client.post(autosave_url(attempt), data)
    assert json.loads(response.content) == {"saved": True, "stale": False, "seq": 3}


def test_posts_to_an_attempt_deleted_while_its_page_was_open_are_404(client, quiz, start):
    attempt = start(quiz)
    warm_hot_path(attempt)  # its facts stay in the cache after the row is gone
    Attempt.objects.filter(pk=attempt.pk).delete()
    data = {**answer_post(attempt, ALL_RIGHT), "seq": 1}
    assert client.post(autosave_url(attempt), data).status_code == 404
    assert client.post(attempt.get_absolute_url(), data).status_code == 404
    assert client.post(attempt.get_absolute_url(), {**data, "action": "save"}).status_code == 404
    confirm = reverse("quizzes:confirm_submit", args=[attempt.public_id])
    assert client.post(confirm).status_code == 404
