"""Builders for question banks and sections."""

import random
import re
from types import SimpleNamespace

from quizzes.models import Option, Question, QuestionBank, Quiz, Section, Tag
from quizzes.services.attempts import start_attempt, submit_attempt
from quizzes.services.importing import quiz_slug
from tests.builders import make_quiz


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


class Drawing(random.Random):
    """Draws exactly the questions it is given (the order and options stay unshuffled)."""

    def __init__(self, *question_ids: int):
        super().__init__(0)
        self.question_ids = list(question_ids)

    def sample(self, population, k, **kwargs):
        assert set(self.question_ids) <= set(population) and k == len(self.question_ids)
        return self.question_ids


def answer(question, right: bool) -> list[int]:
    verdict = "correct" if right else "incorrect"
    return [question.options.get(verdict=verdict).pk]


def partial_exposure_world() -> SimpleNamespace:
    """A fixed section «Основы» (one question) and «Банк» drawing 2 of 3 questions.

    Anna drew q1 q2 (right, wrong), Boris q1 q3 (right, right), Vera q2 q3 (right, wrong);
    Anna and Boris got «Основы» right, Vera wrong. Gleb drew q1 q2 and has not finished.
    """
    quiz = make_quiz(questions=[("Основа?", "single", [("да", "correct"), ("нет", "incorrect")])])
    Section.objects.create(quiz=quiz, order=0, title="Основы")
    bank = make_bank("Банк", 3)
    draw_section(quiz, bank, 2, order=1, title="Банк")
    own = quiz.questions.get()
    q1, q2, q3 = (bank.questions.get(position=n) for n in (1, 2, 3))
    plan = [
        ("Анна", (q1, q2), {own: True, q1: True, q2: False}),
        ("Борис", (q1, q3), {own: True, q1: True, q3: True}),
        ("Вера", (q2, q3), {own: False, q2: True, q3: False}),
    ]
    for name, drawn, answers in plan:
        attempt = start_attempt(
            quiz=quiz,
            candidate_name=name,
            candidate_email=f"{len(name)}{name}@example.com",
            rng=Drawing(*(q.pk for q in drawn)),
        )
        selections = {q.pk: answer(q, right) for q, right in answers.items()}
        submit_attempt(attempt_id=attempt.pk, selections=selections)
    start_attempt(
        quiz=quiz,
        candidate_name="Глеб",
        candidate_email="g@example.com",
        rng=Drawing(q1.pk, q2.pk),
    )
    return SimpleNamespace(quiz=quiz, own=own, q1=q1, q2=q2, q3=q3)
