"""Reads that shape stored data for pages: what an attempt presents, and how it went."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from quizzes.models import Answer, Attempt, Invite, Quiz


def public_quizzes() -> QuerySet[Quiz]:
    return (
        Quiz.objects.filter(published=True, access=Quiz.Access.PUBLIC)
        .annotate(question_count=Count("questions", filter=Q(questions__published=True)))
        .order_by("title")
    )


def presented_questions(attempt: Attempt) -> list[dict]:
    """The attempt's questions from its revision, in the order drawn for it, numbered."""
    by_id = {question["id"]: question for question in attempt.revision.content["questions"]}
    presented = []
    for number, question_id in enumerate(attempt.layout["questions"], start=1):
        question = by_id[question_id]
        options = {option["id"]: option for option in question["options"]}
        presented.append(
            {
                **question,
                "number": number,
                "options": [options[i] for i in attempt.layout["options"][str(question_id)]],
            }
        )
    return presented


@dataclass
class ReviewedOption:
    text: str
    verdict: str
    feedback: str
    chosen: bool


@dataclass
class ReviewedQuestion:
    number: int
    text: str
    kind: str
    explanation: str
    options: list[ReviewedOption]
    answered: bool
    points: Decimal | None
    max_points: Decimal
    overridden: bool

    @property
    def fully_correct(self) -> bool:
        return self.points is not None and self.points == self.max_points

    @property
    def partly_correct(self) -> bool:
        return self.points is not None and 0 < self.points < self.max_points


def attempt_review(attempt: Attempt, answers: list[Answer] | None = None) -> list[ReviewedQuestion]:
    """Each presented question with the candidate's choices against the stored verdicts."""
    if answers is None:
        answers = list(attempt.answers.all())
    by_question = {answer.question_id: answer for answer in answers}
    reviewed = []
    for question in presented_questions(attempt):
        answer = by_question.get(question["id"])
        chosen = set(answer.selected) if answer else set()
        reviewed.append(
            ReviewedQuestion(
                number=question["number"],
                text=question["text"],
                kind=question["kind"],
                explanation=question["explanation"],
                options=[
                    ReviewedOption(
                        text=option["text"],
                        verdict=option["verdict"],
                        feedback=option["feedback"],
                        chosen=option["id"] in chosen,
                    )
                    for option in question["options"]
                ],
                answered=bool(chosen),
                points=answer.effective_points if answer else 0,
                max_points=Decimal(question["points"]),
                overridden=bool(answer and answer.override_points is not None),
            )
        )
    return reviewed


def invite_by_token(token: str) -> Invite | None:
    """The invite of a published quiz with this token, or None."""
    return Invite.objects.select_related("quiz").filter(token=token, quiz__published=True).first()


def invite_by_id(invite_id) -> Invite | None:
    if invite_id is None:
        return None
    return Invite.objects.select_related("quiz").filter(pk=invite_id, quiz__published=True).first()


def open_attempt_for_invite(invite: Invite) -> Attempt | None:
    return invite.attempts.filter(state=Attempt.State.IN_PROGRESS).first()


def attempts_of_invite(invite: Invite, *, public_ids) -> QuerySet[Attempt]:
    """The invite's attempts among the given public ids (this browser's), newest first."""
    return invite.attempts.filter(public_id__in=list(public_ids)).order_by("-started_at")
