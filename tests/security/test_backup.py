"""Backups: back up, wipe, restore, and every attempt is back as it was."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from quizzes.models import Answer, Attempt, Quiz, QuizRevision, ScoreChange
from quizzes.services.attempts import save_answers, start_attempt, submit_attempt
from tests.builders import ALL_RIGHT, make_quiz, option_ids


def build_history(django_user_model):
    """Quizzes with attempts in every state, answers, overrides: what must survive."""
    recruiter = django_user_model.objects.create_user("hr", "hr@example.com", "pw", is_staff=True)
    quiz = make_quiz(title="Резервная копия")
    other = make_quiz(title="Second", shuffle_options=True)
    q1, q2 = quiz.questions.get(position=1), quiz.questions.get(position=2)
    for n in range(3):
        attempt = start_attempt(
            quiz=quiz, candidate_name=f"Кандидат {n}", candidate_email=f"c{n}@example.com"
        )
        save_answers(
            attempt_id=attempt.pk,
            selections={q1.id: option_ids(quiz, 1, *ALL_RIGHT[1][: n + 1])},
            seq=1,
        )
        if n:
            submit_attempt(
                attempt_id=attempt.pk, selections={q2.id: option_ids(quiz, 2, *ALL_RIGHT[2])}
            )
    start_attempt(quiz=other, candidate_name="Open", candidate_email="o@example.com")
    ScoreChange.objects.create(
        attempt=Attempt.objects.filter(state="submitted").first(),
        kind=ScoreChange.Kind.OVERRIDE,
        old_score=1,
        new_score=2,
        reason="manual",
        changed_by=recruiter,
    )


def snapshot():
    return {
        "attempts": [
            (
                str(a.public_id),
                a.quiz.slug,
                a.revision.content_hash,
                a.candidate_name,
                a.candidate_email,
                a.state,
                a.layout,
                a.started_at,
                a.deadline,
                a.submitted_at,
                a.score,
                a.max_score,
                a.save_seq,
                sorted((x.question_id, x.selected, x.points) for x in a.answers.all()),
            )
            for a in Attempt.objects.select_related("quiz", "revision").order_by("public_id")
        ],
        "revisions": sorted(QuizRevision.objects.values_list("content_hash", "content")),
        "quizzes": sorted(Quiz.objects.values_list("slug", "title", "description")),
        "changes": list(
            ScoreChange.objects.values_list(
                "attempt__public_id", "new_score", "changed_by__username"
            )
        ),
    }


def wipe():
    Answer.objects.all().delete()
    ScoreChange.objects.all().delete()
    Attempt.objects.all().delete()
    QuizRevision.objects.all().delete()
    Quiz.objects.all().delete()
    assert not Attempt.objects.exists()


def back_up_wipe_restore(tmp_path, take_snapshot, *backup_args):
    before = take_snapshot()
    assert len(before["attempts"]) == 4
    target = tmp_path / "nested" / "backup"
    out = StringIO()
    call_command("backup", "--output", str(target), *backup_args, stdout=out)
    assert f"Backup written to {target}" in out.getvalue()
    assert target.stat().st_size > 0
    assert not list(target.parent.glob("*.partial"))
    wipe()
    call_command("restore", str(target), "--no-input", stdout=StringIO())
    connection.close()  # the restore replaced the tables under this connection
    assert take_snapshot() == before
    return target


@pytest.mark.django_db(transaction=True)
def test_native_backup_restores_every_attempt_exactly(tmp_path, django_user_model):
    build_history(django_user_model)
    target = back_up_wipe_restore(tmp_path, snapshot)
    magic = b"PGDMP" if connection.vendor == "postgresql" else b"SQLite format 3\x00"
    assert target.read_bytes().startswith(magic)
    assert django_user_model.objects.get(username="hr").check_password("pw")


def to_the_millisecond(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, tuple):
        return tuple(to_the_millisecond(item) for item in value)
    if isinstance(value, list):
        return [to_the_millisecond(item) for item in value]
    return value


def json_snapshot():
    # Django's JSON serializer keeps timestamps to the millisecond.
    return {key: to_the_millisecond(value) for key, value in snapshot().items()}


@pytest.mark.django_db(transaction=True)
def test_json_backup_restores_every_attempt(tmp_path, django_user_model):
    build_history(django_user_model)
    target = back_up_wipe_restore(tmp_path, json_snapshot, "--format", "json")
    assert target.read_bytes().startswith(b"[")
    # Staff accounts come back too, with their passwords.
    assert django_user_model.objects.get(username="hr").check_password("pw")


@pytest.mark.django_db(transaction=True)
def test_a_json_restore_into_a_new_database_creates_the_rate_limit_table(
    tmp_path, django_user_model
):
    build_history(django_user_model)
    target = tmp_path / "b.json"
    call_command("backup", "--output", str(target), "--format", "json", stdout=StringIO())
    # A database made by `migrate` alone, as when moving from SQLite to PostgreSQL.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE quizsite_rate_limits")
    try:
        call_command("restore", str(target), "--no-input", stdout=StringIO())
        assert "quizsite_rate_limits" in connection.introspection.table_names()
        assert Attempt.objects.count() == 4
    finally:
        call_command("createcachetable", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_broken_backup_changes_nothing(tmp_path, django_user_model):
    build_history(django_user_model)
    before = snapshot()
    broken = tmp_path / "broken.json"
    broken.write_text('[{"model": "quizzes.attempt", "pk": 1, "fields": {"quiz": 999}}')
    with pytest.raises(CommandError, match="could not be loaded, nothing was changed"):
        call_command("restore", str(broken), "--no-input", stdout=StringIO())
    assert snapshot() == before


@pytest.mark.django_db
def test_restore_without_a_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("restore", str(tmp_path / "missing.json"), "--no-input")


@pytest.mark.django_db
def test_restore_asks_before_replacing_data(tmp_path, monkeypatch, django_user_model):
    build_history(django_user_model)
    target = tmp_path / "b.json"
    call_command("backup", "--output", str(target), "--format", "json", stdout=StringIO())
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(target), stdout=StringIO())
    assert Attempt.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_by_default_backups_go_to_the_data_folder_and_the_newest_is_restored(
    tmp_path, settings, django_user_model
):
    settings.DATA_DIR = tmp_path
    build_history(django_user_model)
    out = StringIO()
    call_command("backup", stdout=out)
    [written] = list((tmp_path / "backups").iterdir())
    assert str(written) in out.getvalue()
    Attempt.objects.all().delete()
    out = StringIO()
    call_command("restore", "--no-input", stdout=out)
    connection.close()
    assert f"Restored {written}" in out.getvalue()
    assert Attempt.objects.count() == 4
