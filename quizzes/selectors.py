"""Reads that shape stored data for pages: what an attempt presents, and how it went."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from quizzes import formats
from quizzes.models import Answer, Attempt, Invite, Question, Quiz


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


# --- authoring ---------------------------------------------------------------------------


def parsed_quiz(quiz: Quiz) -> formats.ParsedQuiz:
    """The quiz as the format package sees it (drafts included), ready for formats.write."""
    questions = quiz.questions.prefetch_related("options").order_by("position", "id")
    return formats.ParsedQuiz(
        title=quiz.title,
        description=quiz.description,
        questions=[
            formats.ParsedQuestion(
                text=question.text,
                kind=question.kind,
                options=[
                    formats.ParsedOption(
                        text=option.text, verdict=option.verdict, feedback=option.feedback
                    )
                    for option in question.options.all()
                ],
                explanation=question.explanation,
                number=number,
                published=question.published,
            )
            for number, question in enumerate(questions, start=1)
        ],
    )


def _question_shape(question: formats.ParsedQuestion) -> tuple:
    """What services.import_quiz compares to decide whether a question changes."""
    return (
        question.text,
        question.kind,
        question.explanation,
        question.published,
        [(option.text, option.verdict, option.feedback) for option in question.options],
    )


@dataclass
class PlannedQuestion:
    number: int
    question: formats.ParsedQuestion
    # "new", "changed" or "unchanged" compared with the question at the same position.
    status: str


@dataclass
class ImportPlan:
    """What importing a parsed file into `slug` would do; nothing is written to find out."""

    slug: str
    existing: Quiz | None
    questions: list[PlannedQuestion] = field(default_factory=list)
    removed: list[Question] = field(default_factory=list)

    @property
    def creates_quiz(self) -> bool:
        return self.existing is None

    def count(self, status: str) -> int:
        return sum(planned.status == status for planned in self.questions)

    @property
    def added(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def import_plan(parsed: formats.ParsedQuiz, slug: str) -> ImportPlan:
    """Compare a parsed file with the quiz at `slug`, question by position, like the import."""
    existing = Quiz.objects.filter(slug=slug).first()
    plan = ImportPlan(slug=slug, existing=existing)
    current: list[Question] = []
    if existing is not None:
        current = list(existing.questions.prefetch_related("options").order_by("position", "id"))
    shapes = [
        (q.text, q.kind, q.explanation, q.published,
         [(o.text, o.verdict, o.feedback) for o in q.options.all()])
        for q in current
    ]  # fmt: skip
    for index, question in enumerate(parsed.questions):
        if index >= len(current):
            status = "new"
        elif _question_shape(question) == shapes[index]:
            status = "unchanged"
        else:
            status = "changed"
        plan.questions.append(PlannedQuestion(number=index + 1, question=question, status=status))
    plan.removed = current[len(parsed.questions) :]
    return plan


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
