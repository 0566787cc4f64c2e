"""The override_score permission and the two staff roles, Authors and Recruiters.

Authors edit content and never see candidates' personal data; Recruiters read attempts,
write notes, ratings and score overrides, and cannot edit questions. The groups are
(re)synchronised idempotently, so running this on a database where an admin already
created groups of the same name only sets their permissions to the intended ones.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORS = "Authors"
RECRUITERS = "Recruiters"

ROLE_PERMISSIONS = {
    AUTHORS: [
        *(f"{action}_{model}" for model in ("quiz", "question", "option")
          for action in ("add", "change", "delete", "view")),
        "view_quizrevision",
    ],
    RECRUITERS: [
        "view_quiz",
        "view_question",
        "view_option",
        "view_quizrevision",
        "view_invite",
        "view_attempt",
        "view_answer",
        "view_scorechange",
        "view_attemptnote",
        "add_attemptnote",
        # Rating an attempt; the admin still shows attempts read-only.
        "change_attempt",
        "override_score",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; create them now so the
    # groups can refer to them on a fresh database.
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        permissions = list(
            Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames)
        )
        missing = set(codenames) - {permission.codename for permission in permissions}
        if missing:
            raise RuntimeError(f"permissions not found for {name}: {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("quizzes", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="attempt",
            options={
                "ordering": ["-started_at"],
                "permissions": [("override_score", "Can override a question's score")],
                "verbose_name": "attempt",
                "verbose_name_plural": "attempts",
            },
        ),
        migrations.RunPython(create_roles, remove_roles),
    ]
