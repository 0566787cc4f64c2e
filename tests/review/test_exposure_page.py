"""The statistics page shows each question's exposure and each section's figures."""

import re

import pytest
from django.urls import reverse

from tests.banks import partial_exposure_world
from tests.review.test_export import URL, read_csv

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


def test_the_csv_export_leaves_questions_a_candidate_did_not_draw_blank(recruiter_client):
    w = partial_exposure_world()
    rows = read_csv(recruiter_client.get(URL, {"quiz": w.quiz.pk, "sort": "date"}))
    header, *attempts = rows
    by_name = {row[0]: row for row in attempts}
    # Columns: the quiz's own question, then the bank's in the order the revisions list them.
    columns = [header[i].split()[0] for i in range(14, len(header), 2)]
    assert len(columns) == 4
    anna, vera = by_name["Анна"][14:], by_name["Вера"][14:]
    # Each finished attempt has two blank cells (one question it did not draw) and
    # three answered questions, with 0 or 1 point each.
    for cells in (anna, vera):
        points = cells[0::2]
        assert points.count("") == 1 and sorted(p for p in points if p) in (
            ["0", "1", "1"],
            ["0", "0", "1"],
        )
    assert sum(p == "1" for p in anna[0::2]) == 2  # Основа and q1
    assert sum(p == "1" for p in vera[0::2]) == 1  # q2 only
