"""New inline rows in the admin: any number in one save, kept in the order shown.

Every test posts what a browser would: the page's form, with "Add another" pressed (the
inline's empty form copied, its hidden position included).
"""

import pytest
from django.urls import reverse

from quizzes.models import Question
from tests.authoring.forms_html import add_inline_rows, admin_form_data
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

FOUR_OPTIONS = [
    ("Отключает подсчёт градиентов", "correct"),
    ("Экономит память", "correct"),
    ("Обнуляет градиенты", "incorrect"),
    ("Ускоряет обучение", "partial"),
]


def fill_options(data: dict, rows: list[int], options) -> None:
    for index, (text, verdict) in zip(rows, options, strict=True):
        data[f"options-{index}-text"] = text
        data[f"options-{index}-verdict"] = verdict
        data[f"options-{index}-feedback"] = f"Почему: {text}"


def form_errors(response) -> list:
    """What the admin refused, for the failure message of a save that did not redirect."""
    context = response.context
    formsets = context.get("inline_admin_formsets", []) if context else []
    return [context and context["adminform"].form.errors] + [
        (inline.formset.non_form_errors(), inline.formset.errors) for inline in formsets
    ]


def stored_options(question: Question) -> list[tuple[int, str, str]]:
    return list(question.options.order_by("position").values_list("position", "text", "verdict"))


def test_a_new_question_with_four_options_saves_in_one_go_in_the_order_shown(admin_client):
    quiz = make_quiz()
    url = reverse("admin:quizzes_question_add")
    html = admin_client.get(url).content.decode()
    data = admin_form_data(html, "question_form")
    rows = add_inline_rows(html, "question_form", data, "options", 4)
    assert {data[f"options-{index}-position"] for index in rows} == {"0"}  # what the page holds
    data.update(quiz=str(quiz.pk), text="Что делает `torch.no_grad()`?", kind="multiple")
    fill_options(data, rows, FOUR_OPTIONS)

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    question = quiz.questions.get(text__startswith="Что делает")
    assert question.position == 4
    assert stored_options(question) == [
        (1, "Отключает подсчёт градиентов", "correct"),
        (2, "Экономит память", "correct"),
        (3, "Обнуляет градиенты", "incorrect"),
        (4, "Ускоряет обучение", "partial"),
    ]


def test_options_added_to_a_dragged_question_go_last_in_the_order_shown(admin_client):
    question = make_quiz().questions.get(position=3)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    html = admin_client.get(url).content.decode()
    data = admin_form_data(html, "question_form")
    # The last option dragged to the top: the sortable script numbers the saved rows 1..n.
    for index, position in enumerate(["2", "3", "4", "1"]):
        data[f"options-{index}-position"] = position
    rows = add_inline_rows(html, "question_form", data, "options", 3)
    fill_options(
        data, rows, [("Новый A", "incorrect"), ("Новый B", "partial"), ("Новый C", "incorrect")]
    )

    response = admin_client.post(url, {**data, "_continue": "1"})

    assert response.status_code == 302, form_errors(response)
    assert [text for _position, text, _verdict in stored_options(question)] == [
        "Норма входного вектора равна нулю",
        "Взрыв градиентов",
        "Переобучение",
        "Затухание градиентов",
        "Новый A",
        "Новый B",
        "Новый C",
    ]
    assert [position for position, _text, _verdict in stored_options(question)] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]


def test_a_position_posted_for_a_new_row_is_ignored(admin_client):
    """Positions are never the author's: a new row goes last whatever its hidden input says."""
    question = make_quiz().questions.get(position=3)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    html = admin_client.get(url).content.decode()
    data = admin_form_data(html, "question_form")
    rows = add_inline_rows(html, "question_form", data, "options", 2)
    fill_options(data, rows, [("Первый новый", "incorrect"), ("Второй новый", "incorrect")])
    data[f"options-{rows[0]}-position"] = "1"  # taken by an existing option
    data[f"options-{rows[1]}-position"] = "1"

    response = admin_client.post(url, {**data, "_continue": "1"})

    assert response.status_code == 302, form_errors(response)
    assert stored_options(question)[0][1] == "Взрыв градиентов"
    assert [text for _position, text, _verdict in stored_options(question)[-2:]] == [
        "Первый новый",
        "Второй новый",
    ]


def test_the_quiz_page_adds_several_questions_in_one_save_in_the_order_shown(admin_client):
    quiz = make_quiz()
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    html = admin_client.get(url).content.decode()
    data = admin_form_data(html, "quiz_form")
    rows = add_inline_rows(html, "quiz_form", data, "questions", 3)
    for index, text in zip(rows, ["Четвёртый", "Пятый", "Шестой"], strict=True):
        data[f"questions-{index}-text"] = text
        data.pop(f"questions-{index}-published", None)  # drafts until their options exist

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert list(quiz.questions.order_by("position").values_list("position", "text"))[3:] == [
        (4, "Четвёртый"),
        (5, "Пятый"),
        (6, "Шестой"),
    ]


def test_the_quiz_pages_questions_are_sortable_and_hide_their_positions(admin_client):
    quiz = make_quiz()
    html = admin_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    group = html[html.index('id="questions-group"') :]
    assert "sortable" in group[: group.index("<table")]
    assert 'type="number" name="questions-0-position"' not in html
    assert 'type="hidden" name="questions-0-position"' in html
    assert "adminsortable2/js/adminsortable2" in html


def test_questions_added_on_the_quiz_page_start_as_drafts(admin_client):
    quiz = make_quiz()
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    html = admin_client.get(url).content.decode()
    data = admin_form_data(html, "quiz_form")
    rows = add_inline_rows(html, "quiz_form", data, "questions", 2)
    assert not any(f"questions-{index}-published" in data for index in rows)  # unticked
    for index in rows:
        data[f"questions-{index}-text"] = f"Новый {index}"

    assert admin_client.post(url, data).status_code == 302

    assert list(quiz.questions.filter(position__gt=3).values_list("published", flat=True)) == [
        False,
        False,
    ]


def test_the_quiz_page_publishes_no_question_its_own_page_would_refuse(admin_client):
    quiz = make_quiz()
    Question.objects.filter(quiz=quiz, position=2).update(published=False)
    quiz.questions.get(position=2).options.update(verdict="incorrect")
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    html = admin_client.get(url).content.decode()
    data = admin_form_data(html, "quiz_form")
    data["questions-1-published"] = "on"  # no ✅ option
    rows = add_inline_rows(html, "quiz_form", data, "questions", 1)
    data[f"questions-{rows[0]}-text"] = "Без вариантов"
    data[f"questions-{rows[0]}-published"] = "on"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "needs exactly one ✅ correct option" in page
    assert "A question needs at least two options." in page
    assert "add the options on the question&#x27;s own page" in page
    assert not quiz.questions.get(position=2).published
    assert quiz.questions.count() == 3


def test_the_quiz_page_saves_published_questions_it_leaves_alone(admin_client):
    """Questions published before are not re-checked when the quiz page changes something else."""
    quiz = make_quiz()
    quiz.questions.get(position=2).options.update(verdict="incorrect")  # e.g. imported so
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "quiz_form")
    data["title"] = "Новое название"

    assert admin_client.post(url, data).status_code == 302
    quiz.refresh_from_db()
    assert quiz.title == "Новое название"
