"""Re-render the stored HTML of every author text (after the renderer or its allow-list
changes)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from quizzes.models import Option, Question, Quiz, QuizRevision
from quizzes.services.rendering import rerender


class Command(BaseCommand):
    help = (
        "Render again the HTML stored with quizzes, questions, options and revisions, from "
        "their markdown. Run it after upgrading the markdown renderer; pages show the "
        "stored HTML and never render."
    )

    def handle(self, *args, verbosity: int = 1, **options):
        done: dict[str, int] = {}

        def report(name: str, count: int) -> None:
            done[name] = done.get(name, 0) + count
            if verbosity >= 1:
                self.stdout.write(f"{name}: {done[name]} rendered")

        models = {"Quiz": Quiz, "Question": Question, "Option": Option}
        with transaction.atomic():
            rerender({**models, "QuizRevision": QuizRevision}, progress=report)
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS("Done."))
