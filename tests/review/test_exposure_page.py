"""The statistics page shows each question's exposure and each section's figures."""

import re

import pytest
from django.urls import reverse

from tests.banks import partial_exposure_world

pytestmark = pytest.mark.django_db


def test_recruiters_see_how_many_candidates_saw_each_question(recruiter_client):
    w = partial_exposure_world()
    html = recruiter_client.get(reverse("quizzes:review_statistics", args=[w.quiz.slug]))
    page = html.content.decode()
    rows = {
        int(question): cells
        for question, cells in re.findall(
            r'<tr class="exposure-row" data-question="(\d+)">(.*?)</tr>', page, re.S
        )
    }

    def numbers(question) -> list[str]:
        return re.findall(r'<td class="text-end">([^<]*)</td>', rows[question.pk])

    assert numbers(w.own) == ["4", "3", "66,7"]
    assert numbers(w.q1) == ["3", "2", "100,0"]
    assert numbers(w.q2) == ["3", "2", "50,0"]
    assert numbers(w.q3) == ["2", "2", "50,0"]
    sections = re.search(r'<table class="[^"]*section-statistics">(.*?)</table>', page, re.S)
    assert sections is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", sections.group(1))
    assert cells == [
        "Основы",
        "3",
        "0,67 / 1,00",
        "66,7",
        "1",
        "Банк",
        "3",
        "1,33 / 2,00",
        "66,7",
        "3",
    ]
