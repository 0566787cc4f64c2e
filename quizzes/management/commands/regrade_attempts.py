"""Regrade a quiz's finished attempts with the current verdicts."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Quiz
from quizzes.services.regrade import regrade_quiz_attempts


class Command(BaseCommand):
    help = (
        "Regrade the finished attempts of a quiz with the options' current verdicts. "
        "Attempts whose questions changed shape are listed and skipped. Every change is recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The quiz's slug.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change without saving."
        )
        parser.add_argument(
            "--user",
            help="Username recorded as the author of the changes; they need the "
            "quizzes.regrade_attempts permission (Recruiters have it).",
        )

    def handle(self, *args, slug: str, dry_run: bool, user: str | None, **options):
        quiz = Quiz.objects.filter(slug=slug).first()
        if quiz is None:
            raise CommandError(f"No quiz with slug {slug!r}.")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            report = regrade_quiz_attempts(quiz=quiz, dry_run=dry_run, user=actor)
        except PermissionDenied:
            raise CommandError(
                f"{user!r} may not regrade attempts (needs quizzes.regrade_attempts); "
                "nothing was changed."
            ) from None
        for change in report.changes:
            self.stdout.write(
                f"{change.attempt.public_id} {change.attempt.candidate_name} "
                f"<{change.attempt.candidate_email}>: {change.old_score} → {change.new_score}"
            )
        for attempt, reason in report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"skipped {attempt.public_id} {attempt.candidate_name}: {reason}"
                )
            )
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.changes)} attempt(s) {verb}, {report.unchanged} unchanged, "
                f"{len(report.skipped)} skipped."
                + (" Dry run: nothing was saved." if dry_run else "")
            )
        )
