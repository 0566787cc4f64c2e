"""Comparison: 2 to 5 attempts of one quiz side by side, question by question.

Options are named by their letter in the authored order (A, B, ... as in the statistics and
the exports), so "B" means the same option for every candidate whatever order each was
shown. Two queries whatever the number of attempts and questions: the attempts with their
quiz, revision and invite, then all their answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quizzes.content import QuestionContent, option_label
from quizzes.models import Answer, Attempt, Quiz

MIN_COMPARED = 2
MAX_COMPARED = 5


class ComparisonRefused(ValueError):
    """Attempts that cannot be compared; the message says why, for the recruiter."""


@dataclass(frozen=True)
class ComparedOption:
    label: str
    verdict: str
    text_html: str


@dataclass
class ComparedAnswer:
    """One attempt's answer to one question."""

    asked: bool  # the question is in this attempt's version of the quiz
    points: Decimal | None = None
    max_points: Decimal = Decimal(0)
    chosen: list[ComparedOption] = field(default_factory=list)
    time_spent: int = 0
    overridden: bool = False

    @property
    def fully_correct(self) -> bool:
        return self.points is not None and self.points == self.max_points > 0

    @property
    def partly_correct(self) -> bool:
        return self.points is not None and 0 < self.points < self.max_points


@dataclass
class ComparedQuestion:
    number: int
    question_id: int
    text_html: str
    max_points: Decimal
    options: list[ComparedOption]  # the newest version's options, in authored order
    answers: list[ComparedAnswer]  # in the order of Comparison.attempts


@dataclass
class Comparison:
    quiz: Quiz
    attempts: list[Attempt]
    questions: list[ComparedQuestion]


def _options(question: QuestionContent) -> list[ComparedOption]:
    return [
        ComparedOption(
            label=option_label(index), verdict=option["verdict"], text_html=option["text_html"]
        )
        for index, option in enumerate(question["options"])
    ]


def _answer(
    question: QuestionContent | None, answer: Answer | None, *, graded: bool
) -> ComparedAnswer:
    """`graded`: the attempt is finished, so a question without an answer earned 0."""
    if question is None:
        return ComparedAnswer(asked=False)
    options = {
        option["id"]: labelled
        for option, labelled in zip(question["options"], _options(question), strict=True)
    }
    result = ComparedAnswer(
        asked=True,
        points=Decimal(0) if graded else None,
        max_points=Decimal(question["points"]),
    )
    if answer is not None:
        result.points = answer.effective_points
        result.chosen = sorted(
            (options[option_id] for option_id in set(answer.selected) if option_id in options),
            key=lambda option: (len(option.label), option.label),
        )
        result.time_spent = answer.time_spent
        result.overridden = answer.override_points is not None
    return result


def _checked_attempts(public_ids: Sequence[UUID]) -> list[Attempt]:
    wanted = list(dict.fromkeys(public_ids))  # a repeated id counts once
    if not MIN_COMPARED <= len(wanted) <= MAX_COMPARED:
        raise ComparisonRefused(
            _("Choose from %(min)s to %(max)s attempts to compare; %(count)s chosen.")
            % {"min": MIN_COMPARED, "max": MAX_COMPARED, "count": len(wanted)}
        )
    found = {
        attempt.public_id: attempt
        for attempt in Attempt.objects.select_related("quiz", "revision", "invite").filter(
            public_id__in=wanted
        )
    }
    missing = len(wanted) - len(found)
    if missing:
        raise ComparisonRefused(
            ngettext(
                "%(count)s of the chosen attempts does not exist (any more).",
                "%(count)s of the chosen attempts do not exist (any more).",
                missing,
            )
            % {"count": missing}
        )
    attempts = [found[public_id] for public_id in wanted]
    quizzes = {attempt.quiz_id: attempt.quiz.title for attempt in attempts}
    if len(quizzes) > 1:
        raise ComparisonRefused(
            _("Only attempts of one quiz can be compared; these are of: %(quizzes)s.")
            % {"quizzes": ", ".join(sorted(quizzes.values()))}
        )
    return attempts


def compare_attempts(public_ids: Sequence[UUID]) -> Comparison:
    """The attempts side by side; ComparisonRefused for fewer than 2, more than 5, unknown
    attempts or attempts of different quizzes."""
    attempts = _checked_attempts(public_ids)
    answers: dict[tuple[int, int], Answer] = {
        (answer.attempt_id, answer.question_id): answer
        for answer in Answer.objects.filter(attempt__in=[attempt.pk for attempt in attempts])
    }
    contents = {
        attempt.pk: {q["id"]: q for q in attempt.revision.content["questions"]}
        for attempt in attempts
    }
    # Every question any of them was asked, in the newest revision's order first.
    newest_first = sorted(attempts, key=lambda attempt: attempt.revision_id, reverse=True)
    order: dict[int, QuestionContent] = {}
    for attempt in newest_first:
        for question in attempt.revision.content["questions"]:
            order.setdefault(question["id"], question)
    questions = [
        ComparedQuestion(
            number=number,
            question_id=question_id,
            text_html=question["text_html"],
            max_points=Decimal(question["points"]),
            options=_options(question),
            answers=[
                _answer(
                    contents[attempt.pk].get(question_id),
                    answers.get((attempt.pk, question_id)),
                    graded=not attempt.is_open,
                )
                for attempt in attempts
            ],
        )
        for number, (question_id, question) in enumerate(order.items(), start=1)
    ]
    return Comparison(quiz=attempts[0].quiz, attempts=attempts, questions=questions)
