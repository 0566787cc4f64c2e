"""Results: an attempt's questions as presented, with the choices against the verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from quizzes.content import introduces_options, presented_questions
from quizzes.models import Answer, Attempt


@dataclass
class ReviewedOption:
    text: str
    verdict: str
    feedback: str
    chosen: bool
    # Sanitized HTML stored with the revision: the page shows these, and never renders.
    text_html: str = ""
    feedback_html: str = ""
    option_id: int = 0


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
    question_id: int = 0
    time_spent: int = 0
    text_html: str = ""
    explanation_html: str = ""
    section: str = ""  # the title of the question's section, empty for an untitled one

    @property
    def explanation_first(self) -> bool:
        """The explanation introduces the options' feedback, so it is shown before them."""
        return any(option.feedback for option in self.options) and introduces_options(
            self.explanation
        )

    @property
    def fully_correct(self) -> bool:
        return self.points is not None and self.points == self.max_points

    @property
    def partly_correct(self) -> bool:
        return self.points is not None and 0 < self.points < self.max_points

    @property
    def shown(self) -> tuple[object, ...]:
        """Everything the result page shows of this question: its fragment's cache key.

        The key is the content itself, so a cached fragment can only ever be served for
        identical output (another candidate's identical answer, a reload), and a regrade or
        override that changes the points changes the key.
        """
        return (
            self.number,
            self.text_html,
            self.kind,
            self.explanation_html,
            self.explanation_first,
            tuple((o.text_html, o.verdict, o.feedback_html, o.chosen) for o in self.options),
            self.answered,
            str(self.points),
            str(self.max_points),
            self.overridden,
        )


def attempt_review(attempt: Attempt, answers: list[Answer] | None = None) -> list[ReviewedQuestion]:
    """Each presented question with the candidate's choices against the stored verdicts."""
    if answers is None:
        answers = list(attempt.answers.all())
    by_question = {answer.question_id: answer for answer in answers}
    reviewed = []
    for question in presented_questions(attempt.revision.content, attempt.layout):
        answer = by_question.get(question["id"])
        chosen = set(answer.selected) if answer else set()
        reviewed.append(
            ReviewedQuestion(
                number=question["number"],
                section=question["section"],
                text=question["text"],
                kind=question["kind"],
                explanation=question["explanation"],
                text_html=question["text_html"],
                explanation_html=question["explanation_html"],
                options=[
                    ReviewedOption(
                        text=option["text"],
                        verdict=option["verdict"],
                        feedback=option["feedback"],
                        chosen=option["id"] in chosen,
                        text_html=option["text_html"],
                        feedback_html=option["feedback_html"],
                        option_id=option["id"],
                    )
                    for option in question["options"]
                ],
                answered=bool(chosen),
                points=answer.effective_points if answer else Decimal(0),
                max_points=Decimal(question["points"]),
                overridden=bool(answer and answer.override_points is not None),
                question_id=question["id"],
                time_spent=answer.time_spent if answer else 0,
            )
        )
    return reviewed
