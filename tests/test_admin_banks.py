"""Banks and sections in the admin: counts per tag, draw rules that can be met, a sample draw."""

import random

import pytest
from django.forms import inlineformset_factory
from django.urls import reverse

from quizzes.admin.banks import SectionInlineFormSet
from quizzes.models import Quiz, Section
from quizzes.selectors.banks import sample_draw
from tests.banks import draw_section, make_bank
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

SectionFormSet = inlineformset_factory(
    Quiz,
    Section,
    formset=SectionInlineFormSet,
    fields=["order", "title", "bank", "tag", "draw_count"],
)


def section_data(**row) -> dict:
    data = {
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-order": "0",
        "sections-0-title": "Случайные",
    }
    data.update({f"sections-0-{name}": str(value) for name, value in row.items()})
    return data


def test_the_bank_page_counts_questions_that_can_be_drawn_per_tag(admin_client):
    bank = make_bank("Сети", 5, tags={"cnn": range(1, 4), "rnn": range(4, 6)})
    bank.questions.filter(position=1).update(retired=True)
    bank.questions.filter(position=4).update(published=False)
    page = admin_client.get(reverse("admin:quizzes_questionbank_change", args=[bank.pk]))
    html = page.content.decode()
    assert "<td>весь банк</td><td>3</td><td>5</td>" in html
    assert "<td>cnn</td><td>2</td><td>3</td>" in html
    assert "<td>rnn</td><td>1</td><td>2</td>" in html
    listing = admin_client.get(reverse("admin:quizzes_questionbank_changelist")).content.decode()
    assert '<td class="field-question_count">5</td>' in listing
    assert '<td class="field-drawable_count">3</td>' in listing


def test_a_section_may_draw_no_more_than_its_bank_or_tag_offers():
    quiz = make_quiz(questions=[], title="Правила")
    bank = make_bank("Банк", 4, tags={"cnn": range(1, 3)})
    bank.questions.filter(position=4).update(retired=True)
    tag = bank.tags.get()
    assert SectionFormSet(section_data(bank=bank.pk, draw_count=3), instance=quiz).is_valid()
    too_many = SectionFormSet(section_data(bank=bank.pk, draw_count=4), instance=quiz)
    assert not too_many.is_valid()
    assert too_many.errors[0]["draw_count"] == [
        "Здесь могут выпасть только 3 опубликованных невыведенных вопросов."
    ]
    by_tag = SectionFormSet(section_data(bank=bank.pk, tag=tag.pk, draw_count=3), instance=quiz)
    assert not by_tag.is_valid() and "только 2" in by_tag.errors[0]["draw_count"][0]


def test_draw_settings_need_a_bank_and_a_tag_of_that_bank():
    quiz = make_quiz(questions=[], title="Правила")
    bank, other = make_bank("Банк", 2), make_bank("Другой", 2, tags={"x": range(1, 2)})
    no_bank = SectionFormSet(section_data(draw_count=1), instance=quiz)
    assert not no_bank.is_valid() and no_bank.errors[0]["bank"]
    no_count = SectionFormSet(section_data(bank=bank.pk), instance=quiz)
    assert not no_count.is_valid() and no_count.errors[0]["draw_count"]
    foreign = SectionFormSet(
        section_data(bank=bank.pk, tag=other.tags.get().pk, draw_count=1), instance=quiz
    )
    assert not foreign.is_valid()
    assert foreign.errors[0]["tag"] == ["Этот тег из другого банка."]


def test_the_sample_draw_shows_each_section_with_questions_from_its_bank(admin_client):
    quiz = make_quiz(title="Образец")
    Section.objects.create(quiz=quiz, order=0, title="Основы")
    draw_section(quiz, make_bank("Пул", 5), 2, order=1, title="Из пула")
    sections = sample_draw(quiz, rng=random.Random(1))
    assert [(s.title, s.drawn, len(s.questions)) for s in sections] == [
        ("Основы", False, 3),
        ("Из пула", True, 2),
    ]
    assert all(text.startswith("Пул ") for text in sections[1].questions)
    page = admin_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert "Из пула (выбираются случайно)" in page and "Какое утверждение про Adam верное?" in page


def test_a_question_goes_only_to_a_fixed_section_of_its_own_quiz():
    from quizzes.admin.forms import QuestionAdminForm

    quiz, other = make_quiz(title="Свой"), make_quiz(title="Чужой", questions=[])
    fixed = Section.objects.create(quiz=quiz, order=0, title="Основы")
    drawn = draw_section(quiz, make_bank("Банк", 2), 1, order=1)
    foreign = Section.objects.create(quiz=other, order=0, title="Чужой раздел")
    question = quiz.questions.get(position=2)

    def form(section):
        data = {
            "quiz": quiz.pk,
            "section": section.pk,
            "text": question.text,
            "kind": question.kind,
            "points": "1",
            "partial_fraction": "0.5",
            "published": "on",
        }
        return QuestionAdminForm(data, instance=question)

    assert form(fixed).is_valid(), form(fixed).errors
    for wrong in (drawn, foreign):
        assert form(wrong).errors["section"] == [
            "Выберите раздел с постоянными вопросами из теста этого вопроса."
        ]


def test_a_quiz_with_own_questions_keeps_a_fixed_section_for_them():
    quiz = make_quiz(title="Свои вопросы")
    bank = make_bank("Банк", 3)
    only_drawn = SectionFormSet(section_data(bank=bank.pk, draw_count=2), instance=quiz)
    assert not only_drawn.is_valid()
    assert only_drawn.non_form_errors() == [
        "Собственным вопросам теста нужен раздел с постоянными вопросами (без банка)."
    ]
    data = section_data(bank=bank.pk, draw_count=2)
    data.update({"sections-TOTAL_FORMS": "2", "sections-1-order": "1", "sections-1-title": ""})
    assert SectionFormSet(data, instance=quiz).is_valid()


def test_draws_count_towards_the_questions_a_quiz_may_have(settings):
    settings.QUIZ_MAX_QUESTIONS = 4
    quiz = make_quiz(title="Предел")  # 3 questions of its own
    bank = make_bank("Банк", 3)
    data = section_data(bank=bank.pk, draw_count=2)
    data.update({"sections-TOTAL_FORMS": "2", "sections-1-order": "1", "sections-1-title": ""})
    formset = SectionFormSet(data, instance=quiz)
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Слишком много вопросов: 5, предел — 4."]
