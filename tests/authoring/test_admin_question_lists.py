"""Finding questions: the quiz page lists them with their verdicts and links to the searchable
question list filtered to the quiz; the admin is branded quizsite."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Question
from tests.authoring.forms_html import admin_form_data
from tests.builders import make_large_quiz, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client, django_user_model):
    """A staff member of the Authors group (not a superuser), browsing in Russian."""
    user = django_user_model.objects.create_user("avtor", "avtor@x.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def verdict_cells(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<td class="field-verdicts">\s*<p>(.*?)</p>', html, re.S)
    ]


def test_the_quiz_page_lists_each_question_with_its_verdict_counts(author_client):
    quiz = make_quiz()
    Question.objects.filter(quiz=quiz, position=3).first().options.update(verdict="incorrect")
    html = author_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    # The three questions, then the empty row "Add another" copies.
    assert verdict_cells(html) == ["✅3 ❌2 ⚠️1", "✅1 ❌3 ⚠️0", "✅0 ❌4 ⚠️0", ""]
    assert re.search(r'<th class="column-verdicts">\s*Варианты', html)


def test_the_quiz_page_counts_verdicts_in_the_query_that_lists_the_questions(admin_client):
    def queries_for(quiz) -> int:
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
        return len(queries)

    small = make_large_quiz(questions=1, slug="small")
    large = make_large_quiz(questions=30, slug="large")
    assert queries_for(large) == queries_for(small)


def test_the_quiz_page_links_to_its_questions_filtered_and_searchable(author_client):
    quiz = make_quiz(title="Найм: ML", slug="naim")
    other = make_quiz(title="Другой", slug="drugoi")
    html = author_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    listed = re.search(r'href="([^"]*\?quiz__id__exact=\d+)">найти и отфильтровать<', html)
    added = re.search(r'href="([^"]*\?quiz=\d+)">добавить вопрос с вариантами<', html)
    assert listed and added

    response = author_client.get(listed.group(1).replace("&amp;", "&"))
    shown = {question.quiz for question in response.context["cl"].result_list}
    assert shown == {quiz} and len(response.context["cl"].result_list) == 3
    searched = author_client.get(f"{listed.group(1)}&q=Adam").context["cl"].result_list
    assert [(found.quiz, found.position) for found in searched] == [(quiz, 2)]
    filters = response.content.decode()
    assert "Найм: ML" in filters and "Другой" in filters  # the quiz filter, for any quiz

    form = admin_form_data(author_client.get(added.group(1)).content.decode(), "question_form")
    assert form["quiz"] == str(quiz.pk) and other.pk != quiz.pk


def test_the_admin_is_branded_quizsite_in_russian(author_client):
    html = author_client.get(reverse("admin:index")).content.decode()
    assert re.search(r'<div id="site-name"><a href="/admin/">quizsite</a></div>', html)
    assert "<title>Тесты, вопросы и результаты | quizsite</title>" in html
    assert "Django" not in html.split("<body")[1].split('id="content"')[0]


def test_the_question_and_quiz_pages_size_text_areas_to_their_content(admin_client):
    quiz = make_quiz()
    question = quiz.questions.first()
    for url in (
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        reverse("admin:quizzes_question_change", args=[question.pk]),
    ):
        assert "/static/quizzes/admin.css" in admin_client.get(url).content.decode()
    text = b"".join(admin_client.get("/static/quizzes/admin.css").streaming_content).decode()
    assert re.search(r"form textarea \{[^}]*field-sizing: content", text)
