"""Finalize attempts whose time ran out while the candidate was away.

The task queue does it every minute; this command is for manual use.
"""

from django.core.management.base import BaseCommand

from quizzes.services.attempts import close_overdue_attempts, overdue_attempt_ids


class Command(BaseCommand):
    help = (
        "Close and grade in-progress attempts whose deadline plus grace has passed, with the "
        "answers saved before the deadline. Safe to run every minute, also concurrently."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the overdue attempts, change nothing."
        )

    def handle(self, *args, dry_run: bool = False, verbosity: int = 1, **options):
        overdue = overdue_attempt_ids()
        if dry_run:
            self.stdout.write(f"{len(overdue)} overdue attempt(s) would be closed.")
            return
        total = len(overdue)
        progress = {"done": 0}

        def report(attempt):
            progress["done"] += 1
            if verbosity >= 2 or (verbosity >= 1 and total <= 20):
                self.stdout.write(
                    f"[{progress['done']}/{total}] closed attempt {attempt.public_id} "
                    f"({attempt.candidate_email}, quiz {attempt.quiz.slug}): "
                    f"score {attempt.score}/{attempt.max_score}"
                )
            elif verbosity >= 1 and progress["done"] % 100 == 0:
                self.stdout.write(f"[{progress['done']}/{total}] closed")

        closed = close_overdue_attempts(on_closed=report)
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Closed {closed} overdue attempt(s); "
                    f"{total - closed} were already finished by someone else."
                )
                if total
                else "No overdue attempts."
            )
