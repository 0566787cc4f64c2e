"""Export a quiz from the database as a markdown file (seed or task-list format)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes import formats
from quizzes.models import Quiz
from quizzes.selectors.authoring import parsed_quiz


class Command(BaseCommand):
    help = (
        "Write a quiz (drafts included) as markdown in the seed or task-list format, "
        "UTF-8, to a file or to standard output. Importing the file gives the same quiz."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Slug of the quiz to export.")
        parser.add_argument("--format", choices=list(formats.FORMATS), default=formats.SEED)
        parser.add_argument(
            "-o", "--output", help="File to write (UTF-8). Default: standard output."
        )

    def handle(self, *args, slug, format, output, **options):
        quiz = Quiz.objects.filter(slug=slug).first()
        if quiz is None:
            known = ", ".join(Quiz.objects.order_by("slug").values_list("slug", flat=True)[:20])
            raise CommandError(f"No quiz with slug {slug!r}. Known slugs: {known or 'none'}.")
        parsed = parsed_quiz(quiz)
        try:
            text = formats.write(parsed, format)
        except ValueError as error:
            raise CommandError(f"Cannot export {slug!r} as {format}: {error}") from None
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8", newline="\n")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None
        self.stderr.write(
            self.style.SUCCESS(
                f"Exported “{quiz.title}” ({slug}), {len(parsed.questions)} questions, "
                f"as {format} to {output}"
            )
        )
