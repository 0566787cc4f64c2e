"""Invitation emails: each invite's email language, each quiz's invitation message and
reminder lead time; Recruiters may now create invites (one, in bulk, from a CSV) and
resend their emails.
"""

import datetime

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import quizzes.rendering

RECRUITERS = "Recruiters"
CODENAME = "add_invite"


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
        ('quizzes', '0014_webhooks'),
    ]

    operations = [
        migrations.AddField(
            model_name='invite',
            name='language',
            field=models.CharField(choices=[('ru', 'Russian'), ('en', 'English')], default='ru', help_text='The language of the emails the candidate gets.', max_length=8, verbose_name='email language'),
        ),
        migrations.AddField(
            model_name='quiz',
            name='invitation_message',
            field=models.TextField(blank=True, help_text='Markdown. Added to the invitation emails of this quiz.', validators=[quizzes.rendering.validate_markdown], verbose_name='invitation message'),
        ),
        migrations.AddField(
            model_name='quiz',
            name='invitation_message_html',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AddField(
            model_name='quiz',
            name='reminder_before',
            field=models.DurationField(blank=True, default=datetime.timedelta(days=1), help_text='An unused personal invite gets one reminder this long before its link expires. 0 or empty: no reminders.', null=True, verbose_name='reminder before expiry'),
        ),
        migrations.RunPython(grant_to_recruiters, revoke_from_recruiters),
    ]
