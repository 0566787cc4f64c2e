"""Builders for question banks and sections."""

import re

from quizzes.models import Option, Question, QuestionBank, Quiz, Section, Tag
from quizzes.services.importing import quiz_slug


def make_bank(title: str, count: int, *, tags: dict[str, range] | None = None) -> QuestionBank:
    """A bank of `count` single-choice questions «<title> N» with options «верно N», «неверно N».

    `tags` names the question numbers (from 1) each tag is given to.
    """
    bank = QuestionBank.objects.create(title=title, slug=quiz_slug(title))
    for n in range(1, count + 1):
        question = Question.objects.create(
            bank=bank, position=n, text=f"{title} {n}", kind="single"
        )
        Option.objects.bulk_create(
            [
                Option(question=question, position=1, text=f"неверно {n}", verdict="incorrect"),
                Option(question=question, position=2, text=f"верно {n}", verdict="correct"),
            ]
        )
    for name, numbers in (tags or {}).items():
        tag = Tag.objects.create(bank=bank, name=name)
        tag.questions.set(bank.questions.filter(position__in=numbers))
    return bank


def draw_section(
    quiz: Quiz, bank: QuestionBank, count: int, *, order: int, title: str = "", tag: str = ""
) -> Section:
    return Section.objects.create(
        quiz=quiz,
        order=order,
        title=title,
        bank=bank,
        draw_count=count,
        tag=bank.tags.get(name=tag) if tag else None,
    )


def correct_selections(content) -> dict[int, list[int]]:
    """Every question of a revision answered with its correct options."""
    return {
        question["id"]: [o["id"] for o in question["options"] if o["verdict"] == "correct"]
        for question in content["questions"]
    }


def comparable(page: str) -> str:
    """A page without what changes on every response (the masked CSRF token, nonces)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", page)
    return re.sub(r'nonce="[^"]*"', "nonce", page)
