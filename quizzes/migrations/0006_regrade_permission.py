"""The regrade_attempts permission, granted to Recruiters.

Applying a regrade changes candidates' scores and its preview names them, so it is a
recruiter's decision, not an author's: Authors keep a dry run that shows counts only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECRUITERS = "Recruiters"
CODENAME = "regrade_attempts"


def grant_to_recruiters(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; create this one now so
    # the group can receive it on a fresh database.
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="quizzes", codename=CODENAME)
    # A database whose admin deleted the group keeps it deleted: 0002_roles created it.
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
        ("quizzes", "0005_attempt_limits"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="attempt",
            options={
                "ordering": ["-started_at"],
                "permissions": [
                    ("override_score", "Can override a question's score"),
                    ("regrade_attempts", "Can regrade attempts with the current verdicts"),
                ],
                "verbose_name": "attempt",
                "verbose_name_plural": "attempts",
            },
        ),
        migrations.RunPython(grant_to_recruiters, revoke_from_recruiters),
    ]
