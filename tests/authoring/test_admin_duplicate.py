"""A duplicated quiz is told apart from its original: its title says it is a copy."""

import pytest
from django.urls import reverse
from django.utils import translation

from quizzes.models import Quiz
from quizzes.services.authoring import duplicate_quiz
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def test_the_russian_admin_names_a_copy_kopiya_and_numbers_the_next_ones(admin_client):
    quiz = make_quiz(title="Найм: ML", slug="naim")
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    for _round in range(3):
        response = admin_client.post(
            reverse("admin:quizzes_quiz_changelist"),
            {"action": "duplicate", "_selected_action": [quiz.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert list(Quiz.objects.order_by("pk").values_list("slug", "title")) == [
        ("naim", "Найм: ML"),
        ("naim-copy", "Найм: ML (копия)"),
        ("naim-copy-2", "Найм: ML (копия 2)"),
        ("naim-copy-3", "Найм: ML (копия 3)"),
    ]
    changelist = admin_client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    assert "Найм: ML (копия 2)" in changelist


def test_a_copy_of_a_long_title_is_shortened_to_keep_the_mark():
    quiz = make_quiz(title="Д" * 200, slug="long")
    with translation.override("en"):
        copy = duplicate_quiz(quiz=quiz)
        second = duplicate_quiz(quiz=quiz)
    assert len(copy.title) == 200 and copy.title.endswith("Д (copy)")
    assert len(second.title) == 200 and second.title.endswith("Д (copy 2)")
