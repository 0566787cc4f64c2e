"""Recruiters' review: notes on an attempt, a 1-5 rating, per-question score overrides,
and the hiring status."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from quizzes.content import question_by_id
from quizzes.models import (
    Answer,
    Attempt,
    AttemptNote,
    HiringStatusChange,
    QuestionScoreChange,
    ScoreChange,
)
from quizzes.services.scoring import marks_total, rescore


class ReviewError(ValueError):
    """A recruiter's change that cannot be applied; the message is shown to the user."""


@transaction.atomic
def add_attempt_note(*, attempt: Attempt, author: User, text: str) -> AttemptNote:
    """Attach a recruiter's note to an attempt."""
    text = text.strip()
    if not text:
        raise ReviewError(_("A note cannot be empty."))
    return AttemptNote.objects.create(attempt=attempt, author=author, text=text)


@transaction.atomic
def rate_attempt(*, attempt: Attempt, rating: int | None, user: User) -> Attempt:
    """Set (or clear, with None) the recruiter's 1-5 rating of an attempt."""
    if rating is not None and not 1 <= rating <= 5:
        raise ReviewError(_("The rating must be between 1 and 5."))
    Attempt.objects.filter(pk=attempt.pk).update(rating=rating)
    attempt.rating = rating
    return attempt


@transaction.atomic
def override_question_score(
    *, attempt: Attempt, question_id: int, points: Decimal, reason: str, user: User
) -> ScoreChange:
    """Replace one question's computed points with a recruiter's, audited.

    The attempt row is locked so two recruiters overriding at once both land in the
    history and the total reflects both. The total is recomputed from the revision (not
    adjusted by a difference), so it always equals grading plus the current overrides.
    """
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Give a reason for the override."))
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("revision")
        .get(pk=attempt.pk)
    )
    if attempt.state == Attempt.State.IN_PROGRESS:
        raise ReviewError(_("The attempt is still in progress; override it after it ends."))
    question = question_by_id(attempt.revision.content, question_id)
    if question is None:
        raise ReviewError(_("This question is not part of the attempt."))
    max_points = Decimal(question["points"])
    if points is None or not Decimal(0) <= points <= max_points:
        raise ReviewError(
            _("Points must be between 0 and %(max)s.") % {"max": f"{max_points.normalize():f}"}
        )
    answer, _created = Answer.objects.get_or_create(
        attempt=attempt, question_id=question_id, defaults={"selected": [], "points": Decimal(0)}
    )
    old_points = answer.effective_points or Decimal(0)
    answer.override_points = points
    answer.save(update_fields=["override_points"])
    old_score = attempt.score
    attempt.score = rescore(attempt)
    attempt.marks_total = marks_total(attempt.answers.all())
    attempt.save(update_fields=["score", "marks_total"])
    change = ScoreChange.objects.create(
        attempt=attempt,
        kind=ScoreChange.Kind.OVERRIDE,
        question_id=question_id,
        old_score=old_score,
        new_score=attempt.score,
        reason=reason,
        changed_by=user,
    )
    QuestionScoreChange.objects.create(
        change=change, question_id=question_id, old_points=old_points, new_points=points
    )
    return change


@transaction.atomic
def set_hiring_status(*, attempt: Attempt, status: str, user: User | None) -> bool:
    """Move the attempt to a hiring status, recorded with who and when.

    The row lock puts two recruiters' changes one after the other, each recorded from the
    status the other left. Setting the status it already has records nothing: False.
    """
    if status not in Attempt.HiringStatus.values:
        raise ReviewError(_("Choose a hiring status from the list."))
    old = (
        Attempt.objects.select_for_update(of=("self",))
        .values_list("hiring_status", flat=True)
        .get(pk=attempt.pk)
    )
    attempt.hiring_status = status
    if old == status:
        return False
    Attempt.objects.filter(pk=attempt.pk).update(hiring_status=status)
    HiringStatusChange.objects.create(
        attempt_id=attempt.pk, old_status=old, new_status=status, changed_by=user
    )
    return True
