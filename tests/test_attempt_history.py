"""Attempts keep what the candidate saw; only an audited regrade changes a score."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse

from quizzes.models import Attempt, Option, QuizRevision, ScoreChange
from quizzes.positions import renumber
from quizzes.services.attempts import start_attempt, submit_attempt
from quizzes.services.regrade import regrade_quiz_attempts
from tests.builders import answer_post

pytestmark = pytest.mark.django_db


def submit(quiz, choices, name="Анна"):
    attempt = start_attempt(quiz=quiz, candidate_name=name, candidate_email="a@example.com")
    selections = {}
    for position, texts in choices.items():
        question = quiz.questions.get(position=position)
        selections[question.id] = [question.options.get(text=t).id for t in texts]
    return submit_attempt(attempt_id=attempt.pk, selections=selections).attempt


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_identical_content_shares_one_revision(quiz):
    first = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    second = start_attempt(quiz=quiz, candidate_name="B", candidate_email="b@example.com")
    assert first.revision_id == second.revision_id
    assert QuizRevision.objects.count() == 1


def test_editing_after_an_attempt_leaves_its_review_and_score_untouched(client, start, quiz):
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, {3: ["Взрыв градиентов"]}))
    result_url = reverse("quizzes:result", args=[attempt.public_id])
    before = without_csrf(client.get(result_url).content.decode())

    question = quiz.questions.get(position=3)
    question.text = "Совсем другой вопрос"
    question.save()
    question.options.filter(text="Взрыв градиентов").update(verdict="incorrect", text="Другое")
    quiz.questions.get(position=1).delete()
    quiz.questions.filter(position=2).update(position=7)

    after = without_csrf(client.get(result_url).content.decode())
    assert after == before
    assert "Взрыв градиентов" in after and "Совсем другой вопрос" not in after
    attempt.refresh_from_db()
    assert attempt.score == 1


def test_a_new_attempt_after_an_edit_gets_the_new_content(quiz):
    old = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    quiz.questions.filter(position=2).update(text="Новая формулировка")
    new = start_attempt(quiz=quiz, candidate_name="B", candidate_email="b@example.com")
    assert old.revision_id != new.revision_id
    texts = [q["text"] for q in new.revision.content["questions"]]
    assert "Новая формулировка" in texts


def test_deleting_questions_and_options_keeps_attempts(quiz):
    attempt = submit(quiz, {1: ["MaxPooling", "Dropout", "ReLU"]})
    Option.objects.filter(question__quiz=quiz).delete()
    quiz.questions.all().delete()
    attempt.refresh_from_db()
    first_question = attempt.revision.content["questions"][0]
    correct_ids = [o["id"] for o in first_question["options"] if o["verdict"] == "correct"]
    assert list(attempt.answers.values_list("selected", flat=True)) == [correct_ids]
    assert attempt.score == 1


def test_a_quiz_with_attempts_cannot_be_deleted(quiz):
    submit(quiz, {})
    with pytest.raises(ProtectedError):
        quiz.delete()
    assert Attempt.objects.count() == 1


def test_submitting_an_already_submitted_attempt_returns_the_stored_result(quiz):
    attempt = submit(quiz, {2: ["Он адаптирует learning rate для каждого параметра"]})
    outcome = submit_attempt(attempt_id=attempt.pk, selections={})
    assert outcome.graded_now is False
    assert outcome.attempt.score == 1


def fix_verdict(quiz, position, text, verdict):
    quiz.questions.get(position=position).options.filter(text=text).update(verdict=verdict)


def test_regrade_dry_run_reports_changes_and_saves_nothing(quiz):
    attempt = submit(quiz, {2: ["Он не требует learning rate"]})
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")

    report = regrade_quiz_attempts(quiz=quiz, dry_run=True)

    assert [(c.attempt.pk, c.old_score, c.new_score) for c in report.changes] == [
        (attempt.pk, 0, 1)
    ]
    attempt.refresh_from_db()
    assert attempt.score == 0
    assert ScoreChange.objects.count() == 0


def test_regrade_uses_current_verdicts_matched_by_option_identity(quiz, django_user_model):
    staff = django_user_model.objects.create_user("rita", is_staff=True)
    staff.groups.add(Group.objects.get(name="Recruiters"))
    attempt = submit(quiz, {2: ["Он не требует learning rate"]})
    # Reordering must not matter: verdicts follow the option, not its position.
    question = quiz.questions.get(position=2)
    renumber(list(question.options.order_by("-position")), Option)
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")

    report = regrade_quiz_attempts(quiz=quiz, dry_run=False, user=staff)

    assert len(report.changes) == 1
    attempt.refresh_from_db()
    assert attempt.score == 1
    change = ScoreChange.objects.get(attempt=attempt)
    assert (change.kind, change.old_score, change.new_score, change.changed_by) == (
        "regrade",
        0,
        1,
        staff,
    )
    # The review now shows the verdicts the score was computed with.
    reviewed = attempt.revision.content["questions"][1]["options"]
    assert {o["text"]: o["verdict"] for o in reviewed}["Он не требует learning rate"] == "correct"


def test_regrade_skips_attempts_whose_questions_changed_shape(quiz):
    attempt = submit(quiz, {2: ["Он не требует learning rate"]})
    question = quiz.questions.get(position=2)
    Option.objects.create(question=question, position=9, text="Новый вариант", verdict="correct")

    report = regrade_quiz_attempts(quiz=quiz, dry_run=False)

    assert report.changes == []
    assert [(a.pk, "added or removed" in reason) for a, reason in report.skipped] == [
        (attempt.pk, True)
    ]


def test_regrade_twice_changes_nothing_the_second_time(quiz):
    submit(quiz, {2: ["Он не требует learning rate"]})
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")
    regrade_quiz_attempts(quiz=quiz, dry_run=False)
    report = regrade_quiz_attempts(quiz=quiz, dry_run=False)
    assert report.changes == [] and report.unchanged == 1
    assert ScoreChange.objects.count() == 1


def test_regrade_command_prints_changes_and_honours_dry_run(quiz, capsys):
    attempt = submit(quiz, {2: ["Он не требует learning rate"]}, name="Борис")
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")

    call_command("regrade_attempts", quiz.slug, "--dry-run")
    out = capsys.readouterr().out
    assert f"{attempt.public_id} Борис <a@example.com>: 0.0000 → 1.0000" in out
    assert "1 attempt(s) would change" in out and "Dry run" in out
    attempt.refresh_from_db()
    assert attempt.score == 0

    call_command("regrade_attempts", quiz.slug)
    assert "1 attempt(s) changed" in capsys.readouterr().out
    attempt.refresh_from_db()
    assert attempt.score == 1


def test_regrade_command_rejects_unknown_quiz():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No quiz with slug 'nope'"):
        call_command("regrade_attempts", "nope")


def test_a_regrade_on_behalf_of_someone_without_the_permission_changes_nothing(
    quiz, django_user_model
):
    from django.core.exceptions import PermissionDenied

    author = django_user_model.objects.create_user("artur", is_staff=True)
    author.groups.add(Group.objects.get(name="Authors"))
    attempt = submit(quiz, {2: ["Он не требует learning rate"]})
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")

    with pytest.raises(PermissionDenied):
        regrade_quiz_attempts(quiz=quiz, dry_run=False, user=author)

    attempt.refresh_from_db()
    assert attempt.score == 0 and not ScoreChange.objects.exists()
    # The dry run stays open to them: it saves nothing.
    assert len(regrade_quiz_attempts(quiz=quiz, dry_run=True, user=author).changes) == 1


def test_regrade_report_counts_name_nobody(quiz):
    submit(quiz, {2: ["Он не требует learning rate"]}, name="Борис")
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")
    # Started after the fix: already graded with the current verdicts.
    submit(quiz, {2: ["Он не требует learning rate"]}, name="Вера")

    counts = regrade_quiz_attempts(quiz=quiz, dry_run=True).counts()

    assert (counts.changed, counts.unchanged, counts.skipped) == (1, 1, 0)
    assert "Борис" not in repr(counts) and "a@example.com" not in repr(counts)


def test_regrade_command_refuses_a_user_without_the_permission(quiz, django_user_model):
    from django.core.management.base import CommandError

    django_user_model.objects.create_user("artur", is_staff=True).groups.add(
        Group.objects.get(name="Authors")
    )
    attempt = submit(quiz, {2: ["Он не требует learning rate"]})
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")

    with pytest.raises(CommandError, match="'artur' may not regrade attempts"):
        call_command("regrade_attempts", quiz.slug, "--user", "artur")

    attempt.refresh_from_db()
    assert attempt.score == 0 and not ScoreChange.objects.exists()


def test_regrade_command_records_a_recruiter_as_the_author(quiz, django_user_model):
    recruiter = django_user_model.objects.create_user("rita", is_staff=True)
    recruiter.groups.add(Group.objects.get(name="Recruiters"))
    attempt = submit(quiz, {2: ["Он не требует learning rate"]})
    fix_verdict(quiz, 2, "Он не требует learning rate", "correct")

    call_command("regrade_attempts", quiz.slug, "--user", "rita")

    attempt.refresh_from_db()
    assert attempt.score == 1
    assert ScoreChange.objects.get().changed_by == recruiter
