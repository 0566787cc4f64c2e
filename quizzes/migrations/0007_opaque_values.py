from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0006_regrade_permission"),
    ]

    operations = [
        # Existing attempts get an empty key: their pages keep naming questions and
        # options by id (quizzes/opaque.py).
        migrations.AddField(
            model_name="attempt",
            name="token_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
    ]
