"""Exposure and statistics per question and per section when each candidate draws their own."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from quizzes.models import Answer
from quizzes.selectors.exposure import exposure_report
from tests.banks import partial_exposure_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return partial_exposure_world()


def test_each_question_counts_the_attempts_that_saw_it(world, django_assert_num_queries):
    w = world
    with django_assert_num_queries(3):
        report = exposure_report([w.quiz])
    rows = {
        item.question_id: (item.seen, item.n, item.marks, item.facility)
        for item in report.questions
    }
    assert rows == {
        w.own.pk: (4, 3, Decimal(2), 2 / 3),
        w.q1.pk: (3, 2, Decimal(2), 1.0),
        w.q2.pk: (3, 2, Decimal(1), 0.5),
        w.q3.pk: (2, 2, Decimal(1), 0.5),
    }
    assert [item.question_id for item in report.questions] == [w.own.pk, w.q1.pk, w.q2.pk, w.q3.pk]


def test_each_section_sums_the_marks_of_the_questions_each_attempt_had(world):
    w = world
    sections = {s.title: s for s in exposure_report([w.quiz]).sections}
    assert list(sections) == ["Основы", "Банк"]
    basics, drawn = sections["Основы"], sections["Банк"]
    assert (basics.n, basics.marks, basics.max_marks) == (3, Decimal(2), Decimal(3))
    # Banks: Anna 1 of 2, Boris 2 of 2, Vera 1 of 2.
    assert (drawn.n, drawn.marks, drawn.max_marks) == (3, Decimal(4), Decimal(6))
    assert drawn.mean == Decimal(4) / 3 and drawn.mean_max == 2 and drawn.facility == 2 / 3
    assert drawn.question_ids == {w.q1.pk, w.q2.pk, w.q3.pk}


def test_an_override_counts_as_the_mark(world):
    w = world
    Answer.objects.filter(attempt__candidate_name="Анна", question_id=w.q2.pk).update(
        override_points=Decimal("0.5")
    )
    q2_row = next(i for i in exposure_report([w.quiz]).questions if i.question_id == w.q2.pk)
    assert (q2_row.marks, q2_row.facility) == (Decimal("1.5"), 0.75)


def test_only_the_asked_questions_are_reported(world):
    w = world
    report = exposure_report([w.quiz], question_ids={w.q3.pk})
    assert [(i.question_id, i.seen) for i in report.questions] == [(w.q3.pk, 2)]


def test_authors_see_the_exposure_of_a_banks_questions(client, django_user_model, world):
    author = django_user_model.objects.create_user("author", is_staff=True)
    author.groups.add(Group.objects.get(name="Authors"))
    client.force_login(author)
    bank = world.q1.bank
    page = client.get(reverse("admin:quizzes_questionbank_change", args=[bank.pk])).content
    html = page.decode()
    assert "<tr><td>Банк 1</td><td>3</td><td>2</td><td>100,0</td></tr>" in html
    assert "<tr><td>Банк 3</td><td>2</td><td>2</td><td>50,0</td></tr>" in html
    assert "Основа?" not in html  # the quiz's own question is in no bank
