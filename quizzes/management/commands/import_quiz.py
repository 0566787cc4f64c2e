"""Import question files (seed or task-list markdown) into the database."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from quizzes import formats
from quizzes.format_problems import problem_message
from quizzes.services.importing import (
    ImportSummary,
    import_bank,
    import_errors,
    import_quiz,
    quiz_slug,
    text_problems,
)

IMPORTABLE_SUFFIXES = {".md", ".markdown", ".txt"}


def expand_paths(paths: list[str]) -> list[Path]:
    """Files as given, and the importable files inside any directory, in a stable order."""
    expanded = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            expanded.extend(
                sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix in IMPORTABLE_SUFFIXES
                )
            )
        else:
            expanded.append(path)
    return expanded


def question_report(question: formats.ParsedQuestion) -> dict:
    return {
        "line": question.line,
        "text": question.text,
        "kind": question.kind,
        "published": question.published,
        "explanation": bool(question.explanation.strip()),
        "options": [
            {
                "text": option.text,
                "verdict": option.verdict,
                "feedback": bool(option.feedback.strip()),
            }
            for option in question.options
        ],
    }


def problem_report(problem: formats.Problem) -> dict:
    """A problem in the JSON report: its words, and its code and parameters for programs."""
    return {
        "line": problem.line,
        "code": problem.code.value,
        "params": problem.params,
        "message": problem_message(problem),
    }


def import_outcome(summary: ImportSummary) -> str:
    if summary.created:
        return "created"
    if summary.changed:
        settings = ", settings changed" if summary.settings_changed else ""
        return (
            f"updated ({summary.questions_created} added, {summary.questions_updated} changed, "
            f"{summary.questions_deleted} removed{settings})"
        )
    return "unchanged"


class Command(BaseCommand):
    help = (
        "Import quizzes from markdown files (the seed format or the task-list format). "
        "Re-importing a file updates the quiz in place; attempts are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or directories to import.")
        parser.add_argument(
            "--format", choices=["seed", "tasklist"], help="Force a format instead of detecting it."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing anything."
        )
        parser.add_argument("--report", choices=["text", "json"], default="text")
        parser.add_argument("--slug", help="Slug for the quiz (only with a single file).")
        parser.add_argument(
            "--draft", action="store_true", help="Leave newly created quizzes unpublished."
        )

    def handle(self, *args, **options):
        # The command reports in English throughout, in the admin's words for the same problems.
        with translation.override("en"):
            self._handle(options)

    def _handle(self, options) -> None:
        paths = expand_paths(options["paths"])
        if options["slug"] and len(paths) != 1:
            raise CommandError("--slug can only be used with a single file.")
        as_json = options["report"] == "json"
        # With a JSON report, stdout carries only the JSON; progress goes to stderr.
        log = self.stderr if as_json else self.stdout
        files, failed = [], 0
        for number, path in enumerate(paths, start=1):
            entry = self._import_file(path, options, log, f"[{number}/{len(paths)}]")
            failed += bool(entry["errors"])
            files.append(entry)
        if as_json:
            self.stdout.write(json.dumps({"files": files}, ensure_ascii=False, indent=2))
        if failed:
            raise CommandError(
                f"{failed} of {len(paths)} file(s) had errors; nothing was written for them."
            )

    def _import_file(self, path: Path, options, log, progress: str) -> dict:
        entry: dict[str, Any] = {
            "path": str(path),
            "format": None,
            "encoding": None,
            "repaired_encoding": False,
            "repairs": [],
            "quizzes": [],
            "warnings": [],
            "errors": [],
        }
        try:
            data = path.read_bytes()
        except OSError as error:
            entry["errors"].append({"line": None, "message": f"cannot read file: {error.strerror}"})
            log.write(self.style.ERROR(f"{progress} {path}: cannot read file: {error.strerror}"))
            return entry
        result = formats.parse(data, format=options["format"])
        entry.update(
            format=result.format,
            encoding=result.encoding,
            repaired_encoding=bool(result.repairs),
            repairs=[problem_message(repair) for repair in result.repairs],
            warnings=[problem_report(warning) for warning in result.warnings],
            errors=[problem_report(error) for error in result.errors],
        )
        self._log_parse_result(result, path, log, progress)
        if not result.ok or result.quiz is None:
            return entry
        too_large = import_errors(result.quiz)
        text_warnings = text_problems(result.quiz)[1]
        for message in text_warnings:
            entry["warnings"].append({"line": None, "message": message})
            log.write(self.style.WARNING(f"{path}: warning: {message}"))
        for message in too_large:
            entry["errors"].append({"line": None, "message": message})
            log.write(self.style.ERROR(f"{path}: error: {message}"))
        if too_large:
            return entry
        entry["quizzes"].append(
            self._import_parsed(result.quiz, options, log, f"{progress} {path}")
        )
        return entry

    def _import_parsed(self, quiz: formats.ParsedQuiz, options, log, prefix: str) -> dict:
        """Write a parsed quiz (only check it with --dry-run); returns its report."""
        slug = options["slug"] or quiz_slug(quiz.title)
        report = {
            "title": quiz.title,
            "slug": slug,
            "questions": [question_report(q) for q in quiz.questions],
        }
        if options["dry_run"]:
            log.write(
                f"{prefix}: valid, {len(quiz.questions)} questions (dry run, nothing written)"
            )
            return report
        if quiz.bank:
            # A question bank file fills the bank of that slug with its own questions.
            bank_summary = import_bank(parsed=quiz, slug=slug)
            outcome = "created bank" if bank_summary.created else "updated bank"
            log.write(
                self.style.SUCCESS(
                    f"{prefix}: {outcome}: “{quiz.title}” ({slug}), {len(quiz.questions)} questions"
                )
            )
            return report
        summary = import_quiz(parsed=quiz, slug=slug, publish=not options["draft"])
        log.write(
            self.style.SUCCESS(
                f"{prefix}: {import_outcome(summary)}: “{quiz.title}” ({slug}), "
                f"{len(quiz.questions)} questions"
            )
        )
        return report

    def _log_parse_result(
        self, result: formats.ParseResult, path: Path, log, progress: str
    ) -> None:
        for repair in result.repairs:
            log.write(f"{progress} {path}: {problem_message(repair)}")
        for warning in result.warnings:
            message = problem_message(warning)
            log.write(self.style.WARNING(f"{path}:{warning.line or '-'}: warning: {message}"))
        for error in result.errors:
            message = problem_message(error)
            log.write(self.style.ERROR(f"{path}:{error.line or '-'}: error: {message}"))
