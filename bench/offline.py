"""Measurements without the web server: corpus import, statistics, CSV and .xlsx export.

Exports run in a child process (`python -m bench.offline export ...`) so that their peak
memory is their own; that process sets Django up first, so nothing here may import the
app's models at module level.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "linkedin-skill-assessments-quizzes"


def corpus_import(corpus: Path = CORPUS) -> dict:
    """Parse and import every markdown file of the corpus; questions per second."""
    if importlib.util.find_spec("quizzes.formats") is None:
        return {"skipped": "quizzes.formats is not on this branch yet"}
    if not corpus.is_dir():
        return {"skipped": f"no corpus at {corpus}"}
    from django.db import transaction

    from quizzes import formats
    from quizzes.services.importing import import_quiz

    files = sorted(p for p in corpus.rglob("*.md") if p.is_file())
    parsed, questions, failed = [], 0, []
    started = time.perf_counter()
    for path in files:
        result = formats.parse(path.read_bytes())
        if result.quiz is None or result.errors:
            failed.append(path.name)
            continue
        parsed.append((path, result.quiz))
        questions += len(result.quiz.questions)
    parse_seconds = time.perf_counter() - started
    for path, quiz in parsed:
        with transaction.atomic():
            import_quiz(parsed=quiz, slug=f"corpus-{path.stem}"[:200])
    total = time.perf_counter() - started
    return {
        "files": len(files),
        "imported_files": len(parsed),
        "failed_files": failed,
        "questions": questions,
        "parse_seconds": round(parse_seconds, 3),
        "parse_questions_per_second": round(questions / parse_seconds) if parse_seconds else None,
        "seconds": round(total, 3),
        "questions_per_second": round(questions / total) if total else None,
    }


class _Counter:
    def __init__(self):
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text)
        return len(text)


def csv_baseline(quiz_id: int, limit: int | None) -> dict:
    """csv.writer over a server-side cursor: the constant-memory way to export attempts."""
    from quizzes.models import Answer, Attempt

    sink = _Counter()
    writer = csv.writer(sink)
    writer.writerow(["public_id", "name", "email", "state", "started", "submitted", "score"])
    attempts = Attempt.objects.filter(quiz_id=quiz_id).order_by("id")
    if limit:
        attempts = attempts[:limit]
    rows = 0
    started = time.perf_counter()
    fields = ["public_id", "candidate_name", "candidate_email", "state", "started_at"]
    for row in attempts.values_list(*fields, "submitted_at", "score").iterator(chunk_size=2000):
        writer.writerow(row)
        rows += 1
    answers = Answer.objects.filter(attempt__quiz_id=quiz_id)
    answer_rows = 0
    if limit:
        answers = answers.filter(attempt_id__in=attempts.values("id"))
    for row in answers.values_list("attempt_id", "question_id", "selected", "points").iterator(
        chunk_size=5000
    ):
        writer.writerow(row)
        answer_rows += 1
    return {
        "method": "baseline: csv.writer over QuerySet.iterator()",
        "attempts": rows,
        "answer_rows": answer_rows,
        "bytes": sink.bytes,
        "seconds": round(time.perf_counter() - started, 3),
    }


def peak_rss_mib() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over exec()
    from the parent, so a child started by a big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _superuser():
    """The superuser the export views run as: the load test's, or one made for them when the
    load test was skipped (BENCH_SKIP_LOAD=1)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.filter(is_superuser=True).first() or users.create_superuser(
        "bench-offline", "bench-offline@example.com", None
    )


def csv_view(quiz_id: int) -> dict:
    """The recruiters' CSV export view, streamed and counted, as a browser would download it."""
    from django.test import RequestFactory
    from django.urls import resolve, reverse

    url = reverse("quizzes:review_export")
    request = RequestFactory().get(url, {"quiz": quiz_id})
    request.user = _superuser()
    request.session = {}
    started = time.perf_counter()
    response = resolve(url).func(request)
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return {
        "method": "the review_export view (streamed), superuser",
        "status": response.status_code,
        "lines": lines,
        "bytes": size,
        "seconds": round(time.perf_counter() - started, 3),
    }


def xlsx_export(quiz_id: int, limit: int | None) -> dict:
    """The .xlsx export: the view as a browser downloads it (all attempts of the quiz), or
    with `limit` the same writer over the first `limit` of the view's rows."""
    from itertools import islice

    from django.test import RequestFactory
    from django.urls import resolve, reverse

    from quizzes import exports, spreadsheet
    from quizzes.models import Quiz
    from quizzes.selectors.exports import export_rows
    from quizzes.selectors.review import AttemptFilters, quiz_revisions

    started = time.perf_counter()
    if limit:
        quiz = Quiz.objects.get(pk=quiz_id)
        revisions = quiz_revisions(quiz)
        with tempfile.TemporaryFile() as target:
            rows = spreadsheet.write_attempts(
                target,
                islice(export_rows(AttemptFilters(quiz=quiz, sort="date")), limit),
                columns=exports.question_columns(revisions.values()),
                revision_options=exports.revision_option_labels(revisions),
            )
            size = target.tell()
        return {
            "method": "quizzes.spreadsheet.write_attempts over export_rows (the view's writer)",
            "attempts": rows,
            "bytes": size,
            "seconds": round(time.perf_counter() - started, 3),
        }
    url = reverse("quizzes:review_export_xlsx")
    request = RequestFactory().get(url, {"quiz": quiz_id})
    request.user = _superuser()
    request.session = {}
    response = resolve(url).func(request)
    size = sum(len(chunk) for chunk in response.streaming_content)
    return {
        "method": "the review_export_xlsx view (temporary file, streamed), superuser",
        "status": response.status_code,
        "bytes": size,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _export_main() -> None:
    """Child process entry: one export, then its peak memory."""
    import django

    django.setup()
    quiz_id, limit, kind = int(sys.argv[2]), int(sys.argv[3]) or None, sys.argv[4]
    before = peak_rss_mib()
    if kind == "xlsx":
        result = xlsx_export(quiz_id, limit)
    else:
        result = csv_view(quiz_id) if kind == "view" else csv_baseline(quiz_id, limit)
    result.update(peak_rss_mib=peak_rss_mib(), rss_before_mib=before)
    print("EXPORT_JSON " + json.dumps(result))


def has_export_view() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("quizzes:review_export")
    except NoReverseMatch:
        return False
    return True


def csv_export(env: dict, quiz_id: int, limit: int = 0, kind: str = "baseline") -> dict:
    """Run one export in a fresh process, so its peak memory is its own."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.offline", "export", str(quiz_id), str(limit), kind],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("EXPORT_JSON "))
    return json.loads(line.removeprefix("EXPORT_JSON "))


def statistics(quiz_id: int) -> dict:
    """The site's statistics report (statistics_report) when it exists, and the
    baseline: load every submitted attempt's answers with the ORM, compute in pure Python."""
    from quizzes.models import Quiz
    from quizzes.selectors.statistics import statistics_report

    quiz = Quiz.objects.get(pk=quiz_id)
    started = time.perf_counter()
    report = statistics_report(quiz)
    first = time.perf_counter()
    statistics_report(quiz)
    result = {
        "site": {
            "method": "statistics_report (what the statistics page calls)",
            "attempts": report.stats.attempts if report else 0,
            "seconds": round(first - started, 3),
            "cached_seconds": round(time.perf_counter() - first, 3),
        }
    }
    result["baseline"] = _statistics_baseline(quiz_id)
    return result


def _statistics_baseline(quiz_id: int) -> dict:
    from itertools import groupby
    from operator import itemgetter

    from quizzes import statistics as stats
    from quizzes.models import Answer, Attempt, Quiz
    from quizzes.services.revisions import current_revision
    from tests.statistics_oracle import ItemResponse, quiz_statistics

    started = time.perf_counter()
    content = current_revision(Quiz.objects.get(pk=quiz_id)).content
    questions = [
        stats.QuestionInfo(
            id=q["id"],
            position=n,
            text=q["text"],
            max_mark=float(q["points"]),
            options=tuple(
                stats.OptionInfo(o["id"], str(i), o["verdict"])
                for i, o in enumerate(q["options"], 1)
            ),
        )
        for n, q in enumerate(content["questions"], 1)
    ]
    max_marks = {q.id: q.max_mark for q in questions}
    rows = (
        Answer.objects.filter(attempt__quiz_id=quiz_id, attempt__state=Attempt.State.SUBMITTED)
        .order_by("attempt_id", "question_id")
        .values_list("attempt_id", "question_id", "points", "selected")
        .iterator(chunk_size=20_000)
    )
    attempts = [
        [
            ItemResponse(qid, float(points or 0), max_marks.get(qid, 0.0), tuple(selected))
            for _, qid, points, selected in group
        ]
        for _, group in groupby(rows, key=itemgetter(0))
    ]
    loaded = time.perf_counter()
    report = quiz_statistics(attempts, questions)
    done = time.perf_counter()
    return {
        "attempts": report.attempts,
        "load_seconds": round(loaded - started, 3),
        "compute_seconds": round(done - loaded, 3),
        "seconds": round(done - started, 3),
        "cronbach_alpha": round(report.cronbach_alpha or 0, 3),
        "method": "ORM load (values_list iterator) + tests.statistics_oracle.quiz_statistics",
    }


if __name__ == "__main__" and sys.argv[1:2] == ["export"]:
    _export_main()
