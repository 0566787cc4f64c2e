"""Hiring status per attempt (with its history), and each score change's question points.

Score changes recorded before this named the attempt's totals only. An override changes
one question, so its points are recovered: the newest override of a question set today's
override points, and each total's step is that question's step, back to the first. Regrades
changed several questions at once and are left with their totals (`itemized` False).
"""

from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

RECRUITERS = "Recruiters"
CODENAME = "set_hiring_status"


def itemize_overrides(apps, schema_editor):
    ScoreChange = apps.get_model("quizzes", "ScoreChange")
    QuestionScoreChange = apps.get_model("quizzes", "QuestionScoreChange")
    Answer = apps.get_model("quizzes", "Answer")
    chains = defaultdict(list)
    overrides = ScoreChange.objects.filter(kind="override", question_id__isnull=False)
    for change in overrides.order_by("created_at", "id"):
        chains[(change.attempt_id, change.question_id)].append(change)
    for (attempt_id, question_id), changes in chains.items():
        answer = Answer.objects.filter(attempt_id=attempt_id, question_id=question_id).first()
        points = answer.override_points if answer is not None else None
        for change in reversed(changes):
            if points is None or change.old_score is None or change.new_score is None:
                break
            old_points = points - (change.new_score - change.old_score)
            if old_points < Decimal(0):
                break  # the totals do not add up: leave this change and older ones as they are
            QuestionScoreChange.objects.create(
                change=change, question_id=question_id, old_points=old_points, new_points=points
            )
            ScoreChange.objects.filter(pk=change.pk).update(itemized=True)
            points = old_points


def grant_to_recruiters(apps, schema_editor):
    # As in 0006: permissions are created after `migrate` finishes; this one is needed now.
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="quizzes", codename=CODENAME)
    for group in Group.objects.filter(name=RECRUITERS):
        group.permissions.add(permission)


def revoke_from_recruiters(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for permission in Permission.objects.filter(
        content_type__app_label="quizzes", codename=CODENAME
    ):
        for group in Group.objects.filter(name=RECRUITERS):
            group.permissions.remove(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0008_rendered_html'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HiringStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_status', models.CharField(choices=[('new', 'New'), ('shortlisted', 'Shortlisted'), ('on_hold', 'On hold'), ('rejected', 'Rejected'), ('hired', 'Hired')], max_length=16)),
                ('new_status', models.CharField(choices=[('new', 'New'), ('shortlisted', 'Shortlisted'), ('on_hold', 'On hold'), ('rejected', 'Rejected'), ('hired', 'Hired')], max_length=16)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': 'hiring status change',
                'verbose_name_plural': 'hiring status changes',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='QuestionScoreChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question_id', models.BigIntegerField()),
                ('old_points', models.DecimalField(decimal_places=4, max_digits=10)),
                ('new_points', models.DecimalField(decimal_places=4, max_digits=10)),
            ],
            options={
                'verbose_name': 'question score change',
                'verbose_name_plural': 'question score changes',
                'ordering': ['id'],
            },
        ),
        migrations.AlterModelOptions(
            name='attempt',
            options={'ordering': ['-started_at'], 'permissions': [('override_score', "Can override a question's score"), ('regrade_attempts', 'Can regrade attempts with the current verdicts'), ('set_hiring_status', "Can change an attempt's hiring status")], 'verbose_name': 'attempt', 'verbose_name_plural': 'attempts'},
        ),
        migrations.AddField(
            model_name='attempt',
            name='hiring_status',
            field=models.CharField(choices=[('new', 'New'), ('shortlisted', 'Shortlisted'), ('on_hold', 'On hold'), ('rejected', 'Rejected'), ('hired', 'Hired')], db_default='new', default='new', max_length=16, verbose_name='hiring status'),
        ),
        # Existing changes are not itemized until itemize_overrides says otherwise.
        migrations.AddField(
            model_name='scorechange',
            name='itemized',
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['hiring_status', '-started_at', '-id'], name='attempt_hiring_idx'),
        ),
        migrations.AddField(
            model_name='hiringstatuschange',
            name='attempt',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='quizzes.attempt'),
        ),
        migrations.AddField(
            model_name='hiringstatuschange',
            name='changed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='questionscorechange',
            name='change',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='quizzes.scorechange'),
        ),
        migrations.RunPython(itemize_overrides, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='scorechange',
            name='itemized',
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(grant_to_recruiters, revoke_from_recruiters),
    ]
