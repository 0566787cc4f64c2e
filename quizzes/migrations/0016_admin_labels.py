"""Labels only: attempts, answers, an invite's creator and an email's Message-ID in the admin."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0015_invitation_emails"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="answer",
            name="override_points",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                max_digits=10,
                null=True,
                verbose_name="points set by hand",
            ),
        ),
        migrations.AlterField(
            model_name="answer",
            name="points",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=10, null=True, verbose_name="points"
            ),
        ),
        migrations.AlterField(
            model_name="answer",
            name="question_id",
            field=models.BigIntegerField(verbose_name="question ID"),
        ),
        migrations.AlterField(
            model_name="answer",
            name="saved_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="saved"),
        ),
        migrations.AlterField(
            model_name="answer",
            name="selected",
            field=models.JSONField(default=list, verbose_name="chosen options"),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public ID"
            ),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="revision",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attempts",
                to="quizzes.quizrevision",
                verbose_name="quiz version",
            ),
        ),
        migrations.AlterField(
            model_name="invite",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="message_id",
            field=models.CharField(
                editable=False, max_length=200, unique=True, verbose_name="message ID"
            ),
        ),
    ]
