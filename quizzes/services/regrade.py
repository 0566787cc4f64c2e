"""Regrading: finished attempts graded again with the current verdicts, audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from quizzes import grading
from quizzes.content import OptionContent, QuestionContent, RevisionContent, gradable_questions
from quizzes.models import Attempt, Question, QuestionScoreChange, Quiz, ScoreChange
from quizzes.services.revisions import revision_for_content
from quizzes.services.scoring import final_score, grade_and_store

REGRADE_PERMISSION = "quizzes.regrade_attempts"


@dataclass
class RegradeChange:
    attempt: Attempt
    old_score: Decimal | None
    new_score: Decimal


@dataclass
class RegradeReport:
    changes: list[RegradeChange] = field(default_factory=list)
    unchanged: int = 0
    # (attempt, reason) for attempts whose questions changed shape: listed, never guessed.
    skipped: list[tuple[Attempt, str]] = field(default_factory=list)

    def counts(self) -> RegradeCounts:
        """What the report says without naming anyone: for those who may not see candidates."""
        return RegradeCounts(
            changed=len(self.changes), unchanged=self.unchanged, skipped=len(self.skipped)
        )


@dataclass(frozen=True)
class RegradeCounts:
    changed: int
    unchanged: int
    skipped: int


def _regraded_content(
    content: RevisionContent, current: dict[int, Question]
) -> tuple[RevisionContent | None, str]:
    """The attempt's revision with today's verdicts, or None and why it cannot be regraded."""
    questions: list[QuestionContent] = []
    for question in content["questions"]:
        live = current.get(question["id"])
        if live is None:
            return None, f"question {question['id']} was deleted"
        live_options = {option.id: option for option in live.options.all()}
        if set(live_options) != {option["id"] for option in question["options"]}:
            return None, f"options of question {question['id']} were added or removed"
        if live.kind != question["kind"]:
            return None, f"question {question['id']} changed between single and multiple choice"
        options: list[OptionContent] = [
            {**option, "verdict": live_options[option["id"]].verdict}
            for option in question["options"]
        ]
        questions.append({**question, "options": options})
    regraded: RevisionContent = {**content, "questions": questions}
    return regraded, ""


def regrade_quiz_attempts(*, quiz: Quiz, dry_run: bool, user: User | None = None) -> RegradeReport:
    """Regrade finished attempts with the current verdicts of the same options.

    Options are matched by id (stable identity), never by position. A real run moves each
    changed attempt to a revision carrying the new verdicts and records a ScoreChange; made
    on behalf of a user, it needs their regrade_attempts permission (PermissionDenied and
    nothing changed otherwise).
    """
    if not dry_run and user is not None and not user.has_perm(REGRADE_PERMISSION):
        raise PermissionDenied(f"{user} may not regrade attempts")
    report = RegradeReport()
    attempts = list(
        quiz.attempts.exclude(state=Attempt.State.IN_PROGRESS)
        .select_related("revision")
        .prefetch_related("answers")
        .order_by("started_at", "id")
    )
    # The questions the attempts were asked: the quiz's own and those drawn from banks.
    asked = {q["id"] for attempt in attempts for q in attempt.revision.content["questions"]}
    current = {q.id: q for q in Question.objects.filter(id__in=asked).prefetch_related("options")}
    for attempt in attempts:
        content, reason = _regraded_content(attempt.revision.content, current)
        if content is None:
            report.skipped.append((attempt, reason))
            continue
        selections = {answer.question_id: answer.selected for answer in attempt.answers.all()}
        result = grading.grade_attempt(gradable_questions(content), selections)
        new_score = final_score(result, attempt.answers.all())
        if new_score == attempt.score and content == attempt.revision.content:
            report.unchanged += 1
            continue
        report.changes.append(
            RegradeChange(attempt=attempt, old_score=attempt.score, new_score=new_score)
        )
        if not dry_run:
            _apply_regrade(attempt, content, user)
    return report


@transaction.atomic
def _apply_regrade(attempt: Attempt, content: RevisionContent, user: User | None) -> None:
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision")
        .get(pk=attempt.pk)
    )
    old_score = attempt.score
    overrides = {}
    old_points = {}
    for answer in attempt.answers.all():
        old_points[answer.question_id] = answer.effective_points or Decimal(0)
        overrides[answer.question_id] = answer.override_points
    attempt.revision = revision_for_content(attempt.quiz_id, content)
    result = grade_and_store(attempt)
    attempt.score = final_score(result, attempt.answers.all())
    attempt.save(update_fields=["revision", "score", "marks_total"])
    change = ScoreChange.objects.create(
        attempt=attempt,
        kind=ScoreChange.Kind.REGRADE,
        old_score=old_score,
        new_score=attempt.score,
        changed_by=user,
        reason="regrade with current verdicts",
    )
    # A recruiter's override stands through a regrade, so its question does not move.
    moved = []
    for question in result.questions:
        override = overrides.get(question.question_id)
        new = override if override is not None else question.points
        old = old_points.get(question.question_id, Decimal(0))
        if new != old:
            moved.append(
                QuestionScoreChange(
                    change=change, question_id=question.question_id, old_points=old, new_points=new
                )
            )
    QuestionScoreChange.objects.bulk_create(moved)
