"""Attempts allowed per quiz, personal and shared invites, and recruiters' extra attempts.

Existing quizzes get the new default of one attempt per candidate. Existing invites that
name no email cannot be personal (a personal invite is one named candidate): they become
shared links, and a candidate name they carried moves to the staff-only label.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

RECRUITER_PERMISSIONS = ["add_attemptgrant", "view_attemptgrant"]


def invites_without_email_become_shared(apps, schema_editor):
    Invite = apps.get_model("quizzes", "Invite")
    for invite in Invite.objects.filter(candidate_email=""):
        invite.kind = "shared"
        invite.label = invite.label or invite.candidate_name
        invite.candidate_name = ""
        invite.save(update_fields=["kind", "label", "candidate_name"])


def recruiters_grant_attempts(apps, schema_editor):
    # As in 0002_roles: permissions of a new model exist only after `migrate` finishes.
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="quizzes", codename__in=RECRUITER_PERMISSIONS
        )
    )
    if len(permissions) != len(RECRUITER_PERMISSIONS):
        raise RuntimeError(f"permissions not found: {RECRUITER_PERMISSIONS}")
    for group in Group.objects.filter(name="Recruiters"):
        group.permissions.add(*permissions)


def recruiters_stop_granting(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="quizzes", codename__in=RECRUITER_PERMISSIONS
    )
    for group in Group.objects.filter(name="Recruiters"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('quizzes', '0004_review_timing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='quiz',
            name='attempts_allowed',
            field=models.PositiveIntegerField(blank=True, default=1, help_text='Per candidate, recognised by invite, email and browser together. 0 or empty: unlimited.', null=True, verbose_name='attempts allowed'),
        ),
        migrations.AddField(
            model_name='invite',
            name='kind',
            field=models.CharField(choices=[('personal', 'Personal: one named candidate'), ('shared', 'Shared: each person gives a name and email')], default='personal', max_length=16, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='invite',
            name='label',
            field=models.CharField(blank=True, help_text='For staff only: whom or which channel the link is for.', max_length=200, verbose_name='label'),
        ),
        migrations.RunPython(invites_without_email_become_shared, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='invite',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'personal'), models.Q(('candidate_email', ''), _negated=True)), models.Q(('candidate_email', ''), ('candidate_name', ''), ('kind', 'shared')), _connector='OR'), name='invite_kind_names_candidate'),
        ),
        migrations.RemoveConstraint(
            model_name='attempt',
            name='one_open_attempt_per_invite',
        ),
        migrations.AddConstraint(
            model_name='attempt',
            constraint=models.UniqueConstraint(models.F('invite'), django.db.models.functions.text.Lower('candidate_email'), condition=models.Q(('state', 'in_progress')), name='one_open_attempt_per_invitee'),
        ),
        migrations.AddField(
            model_name='attempt',
            name='browser',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=64),
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(models.F('quiz'), django.db.models.functions.text.Lower('candidate_email'), name='attempt_quiz_email_idx'),
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['quiz', 'browser'], name='attempt_quiz_browser_idx'),
        ),
        migrations.CreateModel(
            name='AttemptGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='granted')),
                ('attempt', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='quizzes.attempt', verbose_name='attempt')),
                ('granted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'extra attempt',
                'verbose_name_plural': 'extra attempts',
                'ordering': ['created_at'],
            },
        ),
        migrations.RunPython(recruiters_grant_attempts, recruiters_stop_granting),
    ]
