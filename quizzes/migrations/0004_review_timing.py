"""Review timing: what candidates see right after the attempt and after the quiz closes.

The single `review_policy` becomes two fields. Existing quizzes keep showing what they
showed: both new fields take the old policy, so nothing changes for a running cohort. New
quizzes default to invite-only, a thank-you right after the attempt and the full review
after the close; a practice quiz (public, full review at once) is an explicit choice.
"""

from django.db import migrations, models

REVIEW_CHOICES = [
    ("thanks", "Thank-you message only"),
    ("score", "Score only"),
    ("correctness", "Score and per-question correctness"),
    ("full", "Full review with verdicts and explanations"),
]


def copy_policy_forward(apps, schema_editor):
    Quiz = apps.get_model("quizzes", "Quiz")
    Quiz.objects.update(
        review_after_attempt=models.F("review_policy"),
        review_after_close=models.F("review_policy"),
    )


def copy_policy_back(apps, schema_editor):
    # The old single policy was what candidates saw right after the attempt.
    Quiz = apps.get_model("quizzes", "Quiz")
    Quiz.objects.update(review_policy=models.F("review_after_attempt"))


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0003_review_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="quiz",
            name="review_after_attempt",
            field=models.CharField(
                choices=REVIEW_CHOICES,
                default="thanks",
                max_length=16,
                verbose_name="review right after the attempt",
            ),
        ),
        migrations.AddField(
            model_name="quiz",
            name="review_after_close",
            field=models.CharField(
                choices=REVIEW_CHOICES,
                default="full",
                max_length=16,
                verbose_name="review after the quiz closes",
            ),
        ),
        migrations.RunPython(copy_policy_forward, copy_policy_back),
        migrations.RemoveField(
            model_name="quiz",
            name="review_policy",
        ),
        migrations.AddField(
            model_name="quiz",
            name="closes_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "Optional. From then on no attempt starts, attempts in progress end (their "
                    "countdown runs to this moment at the latest), and candidates see the "
                    "review chosen for after the close."
                ),
                null=True,
                verbose_name="closes",
            ),
        ),
        migrations.AddField(
            model_name="quiz",
            name="practice",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "For self-study: public, unlimited attempts, the full review right after "
                    "the attempt. Access and review are set to match; never use it for hiring."
                ),
                verbose_name="practice quiz",
            ),
        ),
        migrations.AlterField(
            model_name="quiz",
            name="access",
            field=models.CharField(
                choices=[
                    ("public", "Public: anyone can start from the home page"),
                    ("invite", "Invite only"),
                ],
                default="invite",
                max_length=16,
                verbose_name="access",
            ),
        ),
        migrations.AddConstraint(
            model_name="quiz",
            constraint=models.CheckConstraint(
                condition=models.Q(("practice", False))
                | models.Q(
                    ("access", "public"),
                    ("review_after_attempt", "full"),
                    ("review_after_close", "full"),
                ),
                name="practice_quiz_is_public_with_full_review",
                violation_error_message=(
                    "A practice quiz is public and shows the full review right after the "
                    "attempt."
                ),
            ),
        ),
    ]
