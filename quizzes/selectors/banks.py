"""Bank reads: how many questions each tag offers, and what a quiz's sections would draw."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db.models import Count, Q

from quizzes.models import Question, QuestionBank, Quiz, Section, Tag


@dataclass(frozen=True)
class TagCount:
    name: str  # empty: the whole bank
    drawable: int  # published and not retired
    total: int


def drawable_questions(bank_id: int, tag_id: int | None = None):
    """The bank's questions a section may draw now (published, not retired)."""
    questions = Question.objects.filter(bank_id=bank_id, published=True, retired=False)
    if tag_id is not None:
        questions = questions.filter(tags=tag_id)
    return questions


def draw_sections(
    quiz: Quiz, sections: list[Section], *, rng: random.Random
) -> list[tuple[Section, list[int]]]:
    """Each section with the ids of the questions it presents this time.

    A drawn section samples uniformly without replacement; a question already presented by
    an earlier section is not drawn again.
    """
    fixed = [section for section in sections if not section.is_drawn]
    own: dict[int | None, list[int]] = {section.id: [] for section in fixed}
    if fixed:
        rows = quiz.questions.filter(published=True).order_by("position", "id")
        for question_id, section_id in rows.values_list("id", "section_id"):
            own.get(section_id if section_id in own else fixed[0].id, []).append(question_id)
    taken: set[int] = set()
    plan = []
    for section in sections:
        if not section.is_drawn:
            ids = own[section.id]
        else:
            drawable = drawable_questions(section.bank_id or 0, section.tag_id).order_by("id")
            pool = [i for i in drawable.values_list("id", flat=True) if i not in taken]
            count = min(section.draw_count or 0, len(pool))
            ids = sorted(rng.sample(pool, count))  # the pool is in id order
        taken.update(ids)
        plan.append((section, ids))
    return plan


def bank_tag_counts(bank: QuestionBank) -> list[TagCount]:
    """The whole bank first, then each tag: questions that can be drawn, and all of them."""
    drawable = Q(questions__published=True, questions__retired=False)
    whole = QuestionBank.objects.filter(pk=bank.pk).aggregate(
        drawable=Count("questions", filter=drawable), total=Count("questions")
    )
    tags = Tag.objects.filter(bank=bank).annotate(
        drawable=Count("questions", filter=drawable), total=Count("questions")
    )
    return [
        TagCount("", whole["drawable"], whole["total"]),
        *(TagCount(tag.name, tag.drawable, tag.total) for tag in tags.order_by("name")),
    ]


@dataclass(frozen=True)
class SampleSection:
    title: str
    drawn: bool
    questions: list[str]


def sample_draw(quiz: Quiz, *, rng: random.Random | None = None) -> list[SampleSection]:
    """One draw of the quiz's sections as an attempt started now would get it (not stored)."""
    sections = list(quiz.sections.select_related("bank", "tag"))
    if not sections:
        sections = [Section(quiz=quiz, order=0)]
    plan = draw_sections(quiz, sections, rng=rng or random.SystemRandom())
    texts = Question.objects.in_bulk([i for _section, ids in plan for i in ids])
    return [
        SampleSection(
            title=str(section),
            drawn=section.is_drawn,
            questions=[texts[i].text.strip().splitlines()[0][:120] for i in ids],
        )
        for section, ids in plan
    ]
