"""Sections, draw rules and tags go out with an export and come back with an import."""

import pytest

from quizzes import formats
from quizzes.models import QuestionBank, Section, Tag
from quizzes.selectors.authoring import parsed_quiz
from quizzes.services.authoring import duplicate_quiz
from quizzes.services.importing import import_quiz
from tests.banks import draw_section, make_bank
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def structure(quiz):
    sections = [
        (s.order, s.title, s.bank.slug if s.bank else "", s.tag.name if s.tag else "", s.draw_count)
        for s in quiz.sections.select_related("bank", "tag").order_by("order")
    ]
    questions = [
        (
            q.position,
            q.section.title if q.section else None,
            q.retired,
            sorted(q.tags.values_list("name", flat=True)),
        )
        for q in quiz.questions.order_by("position")
    ]
    return sections, questions


@pytest.mark.parametrize("fmt", ["seed", "tasklist"])
def test_a_quiz_with_sections_draws_and_tags_survives_export_and_import(fmt):
    quiz = make_quiz(title="Исходный")
    own = QuestionBank.objects.create(title="Исходный", slug="ishodnyi")
    quiz.questions.update(bank=own)
    basics = Section.objects.create(quiz=quiz, order=0, title="Основы")
    draw_section(quiz, make_bank("Пул", 4, tags={"CNN": range(1, 3)}), 2, order=1, tag="CNN")
    Section.objects.create(quiz=quiz, order=2, title="Итог")
    first, second, third = quiz.questions.order_by("position")
    first.section = basics
    first.save()
    third.section = Section.objects.get(title="Итог")
    third.retired = True
    third.save()
    second.tags.set([Tag.objects.create(bank=own, name="Оптимизация")])

    written = formats.write(parsed_quiz(quiz), fmt)
    copy = import_quiz(parsed=formats.parse(written, format=fmt).quiz, slug="copy").quiz

    assert structure(copy) == structure(quiz)
    assert structure(copy)[0][1] == (1, "", "pul", "CNN", 2)
    assert QuestionBank.objects.filter(slug="pul").count() == 1  # the bank drawn from is shared


def test_a_file_without_sections_imports_as_one_fixed_section():
    quiz = make_quiz(title="Простой")
    written = formats.write(parsed_quiz(quiz), "seed")
    assert "section" not in written
    copy = import_quiz(parsed=formats.parse(written, format="seed").quiz, slug="prostoi-2").quiz
    assert not copy.sections.exists() and copy.questions.count() == 3


def test_reimporting_a_file_without_sections_removes_them():
    quiz = make_quiz(title="Был с разделами")
    Section.objects.create(quiz=quiz, order=0, title="Основы")
    plain = parsed_quiz(quiz)
    plain.sections = []
    summary = import_quiz(parsed=plain, slug=quiz.slug)
    assert not quiz.sections.exists()
    assert "sections, tags or retired questions updated" in summary.changes


def test_a_drawn_section_naming_a_new_bank_creates_it_empty():
    parsed = parsed_quiz(make_quiz(title="Новый"))
    parsed.sections = [formats.ParsedSection(title="Пул", draw=2, bank="novyi-bank")]
    import_quiz(parsed=parsed, slug="novyi-2")
    bank = QuestionBank.objects.get(slug="novyi-bank")
    assert bank.questions.count() == 0 and bank.sections.get().draw_count == 2


def test_a_duplicated_quiz_gets_its_own_sections_and_leaves_the_bank_alone():
    quiz = make_quiz(title="Оригинал")
    own = QuestionBank.objects.create(title="Оригинал", slug="original")
    quiz.questions.update(bank=own)
    basics = Section.objects.create(quiz=quiz, order=0, title="Основы")
    draw_section(quiz, make_bank("Пул", 3), 2, order=1)
    quiz.questions.filter(position=2).update(section=basics)

    copy = duplicate_quiz(quiz=quiz)

    assert structure(copy)[0] == structure(quiz)[0]
    moved = copy.questions.get(position=2)
    assert moved.section.quiz == copy and moved.section.title == "Основы"
    assert own.questions.count() == 3 and not copy.questions.filter(bank__isnull=False).exists()
