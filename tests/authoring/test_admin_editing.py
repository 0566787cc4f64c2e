"""Editing content in the admin: validation, ordering, preview, history, actions, filters."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Option, Question, Quiz
from quizzes.services.attempts import start_attempt
from tests.authoring.forms_html import admin_form_data
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def question_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def question_form(client, question) -> dict:
    return admin_form_data(client.get(question_url(question)).content.decode(), "question_form")


def option_index(data: dict, text: str) -> int:
    for index in range(int(data["options-TOTAL_FORMS"])):
        if data[f"options-{index}-text"] == text:
            return index
    raise AssertionError(f"no option {text!r} in the form")


def post_question(client, question, data):
    return client.post(question_url(question), {**data, "_continue": "1"})


# --- validation ----------------------------------------------------------------------------


def test_single_choice_with_two_correct_options_is_refused_with_a_clear_message(admin_client):
    question = make_quiz().questions.get(position=2)  # single choice, "Он адаптирует..." is ✅
    data = question_form(admin_client, question)
    data[f"options-{option_index(data, 'Он не требует learning rate')}-verdict"] = "correct"
    response = post_question(admin_client, question, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "exactly one ✅ correct option" in html and "this one has 2" in html
    assert question.options.filter(verdict="correct").count() == 1


def test_single_choice_may_have_caveat_options_besides_the_correct_one(admin_client):
    question = make_quiz().questions.get(position=2)
    data = question_form(admin_client, question)
    data[f"options-{option_index(data, 'Он не требует learning rate')}-verdict"] = "partial"
    response = post_question(admin_client, question, data)
    assert response.status_code == 302
    assert question.options.get(text="Он не требует learning rate").verdict == "partial"


def test_multiple_choice_without_a_correct_option_is_refused(admin_client):
    question = make_quiz().questions.get(position=1)
    data = question_form(admin_client, question)
    for index in range(int(data["options-TOTAL_FORMS"])):
        data[f"options-{index}-verdict"] = "incorrect"
    html = post_question(admin_client, question, data).content.decode()
    assert "needs at least one ✅ correct option" in html
    assert question.options.filter(verdict="correct").count() == 3


def test_a_published_question_needs_two_options(admin_client):
    question = make_quiz().questions.get(position=3)
    data = question_form(admin_client, question)
    for index in range(1, int(data["options-TOTAL_FORMS"])):
        data[f"options-{index}-DELETE"] = "on"
    html = post_question(admin_client, question, data).content.decode()
    assert "at least two options" in html
    assert question.options.count() == 4


def test_blank_option_text_is_refused_even_in_a_draft(admin_client):
    question = make_quiz().questions.get(position=3)
    data = question_form(admin_client, question)
    data.pop("published")
    data["options-0-text"] = "   "
    response = post_question(admin_client, question, data)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert question.options.get(position=1).text == "Взрыв градиентов"


def test_a_draft_may_be_incomplete_and_publishing_it_checks_the_options(admin_client):
    question = make_quiz().questions.get(position=3)
    data = question_form(admin_client, question)
    data.pop("published")
    for index in range(int(data["options-TOTAL_FORMS"])):
        data[f"options-{index}-verdict"] = "incorrect"
    assert post_question(admin_client, question, data).status_code == 302
    question.refresh_from_db()
    assert not question.published and not question.options.filter(verdict="correct").exists()

    data = question_form(admin_client, question)
    data["published"] = "on"
    html = post_question(admin_client, question, data).content.decode()
    assert "this one has 0" in html and "untick “published” to keep a draft" in html
    question.refresh_from_db()
    assert not question.published


def test_model_clean_refuses_blank_texts():
    from django.core.exceptions import ValidationError

    quiz = make_quiz()
    question = Question(quiz=quiz, position=9, text="  \n ", kind="single")
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert "text" in error.value.message_dict
    option = Option(question=quiz.questions.first(), position=9, text=" ")
    with pytest.raises(ValidationError):
        option.full_clean()


# --- ordering -----------------------------------------------------------------------------


def test_reordering_options_by_drag_and_drop_swaps_positions_without_integrity_error(
    admin_client,
):
    question = make_quiz().questions.get(position=3)
    ids_before = list(question.options.order_by("position").values_list("id", flat=True))
    data = question_form(admin_client, question)
    # What the sortable JS does after dragging the last option to the top: 1..n anew.
    total = int(data["options-TOTAL_FORMS"])
    for index in range(total):
        data[f"options-{index}-position"] = str(index + 2 if index < total - 1 else 1)
    assert post_question(admin_client, question, data).status_code == 302
    ids_after = list(question.options.order_by("position").values_list("id", flat=True))
    assert ids_after == [ids_before[-1], *ids_before[:-1]]
    assert list(question.options.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_reordering_questions_in_the_quiz_page_keeps_ids(admin_client):
    quiz = make_quiz()
    ids_before = list(quiz.questions.order_by("position").values_list("id", flat=True))
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "quiz_form")
    order = {0: "3", 1: "1", 2: "2"}  # first question dragged to the end
    for index, position in order.items():
        data[f"questions-{index}-position"] = position
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ids_after = list(quiz.questions.order_by("position").values_list("id", flat=True))
    assert ids_after == [ids_before[1], ids_before[2], ids_before[0]]


def test_new_and_deleted_options_leave_positions_one_to_n(admin_client):
    question = make_quiz().questions.get(position=3)
    data = question_form(admin_client, question)
    data["options-1-DELETE"] = "on"
    data["options-TOTAL_FORMS"] = "5"
    data.update(
        {
            "options-4-text": "Новый вариант",
            "options-4-verdict": "incorrect",
            "options-4-feedback": "",
            "options-4-position": "",
            "options-4-question": str(question.pk),
        }
    )
    assert post_question(admin_client, question, data).status_code == 302
    rows = list(question.options.order_by("position").values_list("position", "text"))
    assert rows == [
        (1, "Взрыв градиентов"),
        (2, "Затухание градиентов"),
        (3, "Норма входного вектора равна нулю"),
        (4, "Новый вариант"),
    ]


def test_a_new_question_goes_to_the_end_without_typing_a_position(admin_client):
    quiz = make_quiz()
    response = admin_client.post(
        reverse("admin:quizzes_question_add"),
        {
            "quiz": quiz.pk,
            "text": "Что делает `torch.no_grad()`?",
            "kind": "single",
            "points": "1",
            "partial_fraction": "0.5",
            "grading_strategy": "",
            "explanation": "",
            "published": "on",
            "options-TOTAL_FORMS": "2",
            "options-INITIAL_FORMS": "0",
            "options-MIN_NUM_FORMS": "0",
            "options-MAX_NUM_FORMS": "1000",
            "options-0-text": "Отключает подсчёт градиентов",
            "options-0-verdict": "correct",
            "options-0-position": "",
            "options-1-text": "Обнуляет градиенты",
            "options-1-verdict": "incorrect",
            "options-1-position": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question = quiz.questions.get(text__startswith="Что делает")
    assert question.position == 4
    assert list(question.options.values_list("position", "text")) == [
        (1, "Отключает подсчёт градиентов"),
        (2, "Обнуляет градиенты"),
    ]


# --- preview ------------------------------------------------------------------------------


def test_question_page_previews_markdown_through_the_sanitizer(admin_client):
    question = make_quiz().questions.get(position=2)
    question.text = (
        "Что выведет **код**?\n\n<script>alert('q')</script><img src=x onerror=alert(1)>"
    )
    question.explanation = "[ссылка](javascript:alert(2)) и `code`"
    question.save()
    option = question.options.get(position=1)
    option.feedback = "*курсив*\n\n<iframe src='https://evil.example'></iframe>"
    option.save()
    html = admin_client.get(question_url(question)).content.decode()
    preview = html[html.index('class="question-preview"') :]
    preview = preview[: preview.index("</fieldset>")]
    assert "Что выведет <strong>код</strong>?" in preview
    assert "<em>курсив</em>" in preview
    assert "<code>code</code>" in preview
    assert "✅" in preview and "❌" in preview
    assert "<script" not in preview and "onerror" not in preview
    assert "<iframe" not in preview and 'href="javascript:' not in preview


# --- history ------------------------------------------------------------------------------


def test_question_history_shows_who_changed_a_verdict_and_when(admin_client, author):
    question = make_quiz().questions.get(position=2)
    data = question_form(admin_client, question)
    data[f"options-{option_index(data, 'Он не требует learning rate')}-verdict"] = "partial"
    assert post_question(admin_client, question, data).status_code == 302

    entry = LogEntry.objects.get(object_id=str(question.pk))
    assert entry.user == author
    html = admin_client.get(
        reverse("admin:quizzes_question_history", args=[question.pk])
    ).content.decode()
    assert "author" in html
    assert "Changed Verdict for option “Он не требует learning rate”." in html
    local = entry.action_time.astimezone()
    assert str(local.year) in html


# --- actions, search, filters ---------------------------------------------------------------


def test_duplicate_copies_questions_and_options_but_not_attempts(admin_client):

    quiz = make_quiz(
        title="Оригинал",
        slug="original",
        access="public",
        review_after_attempt="score",
        closes_at=timezone.now() + timedelta(days=1),
    )
    start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    changelist = reverse("admin:quizzes_quiz_changelist")
    for _round in range(2):
        response = admin_client.post(
            changelist, {"action": "duplicate", "_selected_action": [quiz.pk]}, follow=True
        )
    assert "copied as original-copy-2" in response.content.decode()
    copy = Quiz.objects.get(slug="original-copy")
    assert not copy.published and copy.title == "Оригинал (copy)"
    assert Quiz.objects.get(slug="original-copy-2").title == "Оригинал (copy 2)"
    assert (copy.access, copy.review_after_attempt, copy.closes_at) == ("public", "score", None)
    assert copy.attempts.count() == 0 and quiz.attempts.count() == 1

    def content(q):
        return [
            (x.position, x.text, x.kind, x.explanation, x.published,
             [(o.position, o.text, o.verdict, o.feedback) for o in x.options.all()])
            for x in q.questions.order_by("position")
        ]  # fmt: skip

    assert content(copy) == content(quiz)
    assert not set(copy.questions.values_list("id", flat=True)) & set(
        quiz.questions.values_list("id", flat=True)
    )


def test_publish_and_unpublish_actions(admin_client):
    draft = make_quiz(title="Черновик", published=False)
    live = make_quiz(title="Живой", published=True)
    changelist = reverse("admin:quizzes_quiz_changelist")
    response = admin_client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk, live.pk]}, follow=True
    )
    assert "1 quiz published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.published
    response = admin_client.post(
        changelist, {"action": "unpublish", "_selected_action": [live.pk]}, follow=True
    )
    assert "1 quiz unpublished." in response.content.decode()
    live.refresh_from_db()
    assert not live.published


def test_question_filters_by_quiz_kind_and_published_and_search(admin_client):
    first = make_quiz(title="Первый")
    make_quiz(title="Второй")
    Question.objects.filter(quiz=first, position=3).update(published=False)
    url = reverse("admin:quizzes_question_changelist")

    def shown(params):
        response = admin_client.get(url, params)
        return sorted(
            (question.quiz.title, question.position)
            for question in response.context["cl"].result_list
        )

    assert shown({"quiz__id__exact": first.pk, "kind": "single"}) == [("Первый", 2), ("Первый", 3)]
    assert shown({"published__exact": "0"}) == [("Первый", 3)]
    assert shown({"q": "Batch Normalization"}) == [("Второй", 1), ("Первый", 1)]
    assert shown({"q": "Второй", "kind": "multiple"}) == [("Второй", 1)]


def test_quiz_filters_by_published_and_access(admin_client):
    make_quiz(title="Публичный", published=True, access="public")
    make_quiz(title="По приглашению", published=True, access="invite")
    make_quiz(title="Скрытый", published=False)
    url = reverse("admin:quizzes_quiz_changelist")
    html = admin_client.get(url, {"access__exact": "invite"}).content.decode()
    assert "По приглашению" in html and "Публичный" not in html
    html = admin_client.get(url, {"published__exact": "0"}).content.decode()
    assert "Скрытый" in html and "Публичный" not in html


def test_validation_messages_are_in_russian_by_default(admin_client):
    question = make_quiz().questions.get(position=2)
    data = question_form(admin_client, question)
    data[f"options-{option_index(data, 'Он не требует learning rate')}-verdict"] = "correct"
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    html = post_question(admin_client, question, data).content.decode()
    assert "должен быть ровно один верный вариант ✅" in html and "сейчас верных: 2" in html
