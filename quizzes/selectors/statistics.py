"""Statistics: Moodle-style item analysis of a quiz's finished attempts, version by version."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from itertools import chain, repeat

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max

from quizzes import statistics
from quizzes.caching import cached_once
from quizzes.content import RevisionContent, option_label
from quizzes.models import Answer, Attempt, Quiz
from quizzes.selectors.review import FINISHED, quiz_revisions

STATISTICS_CACHE_SECONDS = 300


@dataclass
class StatisticsVersion:
    """Revisions asking the same questions (they may differ in wording or verdicts)."""

    revision_ids: list[int]
    newest: int
    attempts: int
    questions: int


@dataclass
class StatisticsReport:
    versions: list[StatisticsVersion]
    version: StatisticsVersion
    content: RevisionContent  # the newest revision of the version: texts and options
    stats: statistics.QuizStatistics


def statistics_versions(
    quiz: Quiz, revisions: dict[int, RevisionContent]
) -> list[StatisticsVersion]:
    """Finished attempts grouped by the set of questions they were asked, newest first.

    Item analysis assumes every attempt saw every question, so attempts are only analysed
    together when their revisions ask the same questions. A regrade or an edited text keeps
    the question ids and so stays in the same group; adding or removing a question does not.
    """
    counts = dict(
        Attempt.objects.filter(quiz=quiz, state__in=FINISHED)
        .values_list("revision_id")
        .annotate(n=Count("id"))
        .values_list("revision_id", "n")
    )
    versions: dict[frozenset[int], StatisticsVersion] = {}
    for revision_id, content in revisions.items():  # newest first
        attempts = counts.get(revision_id, 0)
        if not attempts:
            continue
        key = frozenset(question["id"] for question in content["questions"])
        if key not in versions:
            versions[key] = StatisticsVersion(
                revision_ids=[], newest=revision_id, attempts=0, questions=len(key)
            )
        versions[key].revision_ids.append(revision_id)
        versions[key].attempts += attempts
    return list(versions.values())


def question_infos(content: RevisionContent) -> list[statistics.QuestionInfo]:
    """The revision's questions as the pure statistics module takes them."""
    return [
        statistics.QuestionInfo(
            id=question["id"],
            position=position,
            text=question["text"],
            max_mark=float(question["points"]),
            options=tuple(
                statistics.OptionInfo(
                    id=option["id"], label=option_label(index), verdict=option["verdict"]
                )
                for index, option in enumerate(question["options"])
            ),
        )
        for position, question in enumerate(content["questions"], start=1)
    ]


def _statistics_tables_sql(revision_count: int, question_count: int) -> str:
    """The aggregate query of item_statistics (portable: PostgreSQL and SQLite).

    One statement, so both parts read the same snapshot: the attempts' stored totals
    (question id NULL), and per question, attempt total, points, override and choice the
    number of answers: a few thousand rows instead of millions. The totals are stored per
    attempt (Attempt.marks_total), so no window over the answers is needed.
    """
    answer, attempt = Answer._meta.db_table, Attempt._meta.db_table
    revisions = ", ".join(["%s"] * revision_count)
    questions = ", ".join(["%s"] * question_count)
    attempts = f"WHERE at.quiz_id = %s AND at.state IN (%s, %s) AND at.revision_id IN ({revisions})"
    # A finished attempt always has its total; COALESCE keeps rows loaded by other means
    # (a restore of an old dump) counted, as attempts with nothing earned.
    total = "COALESCE(at.marks_total, 0)"
    return (
        f"SELECT an.question_id, {total}, an.points, an.override_points, an.selected, COUNT(*) "
        f"FROM {answer} an JOIN {attempt} at ON at.id = an.attempt_id {attempts} "
        f"AND an.question_id IN ({questions}) GROUP BY 1, 2, 3, 4, 5 "
        f"UNION ALL SELECT NULL, {total}, NULL, NULL, NULL, COUNT(*) "
        f"FROM {attempt} at {attempts} GROUP BY 2"
    )


def _selected_ids(value: object) -> tuple[int, ...]:
    # The database driver hands JSON back as text or already decoded, depending on backend.
    if isinstance(value, str | bytes):
        return tuple(json.loads(value))
    return tuple(value) if isinstance(value, list) else ()


@dataclass
class _CountTables:
    """What the database reduces a version's answers to: small tables of counts."""

    # question id -> (attempt total, mark, rest of the total) -> count
    joint: dict[int, Counter[tuple[float, float, float]]]
    # attempt total -> attempts with that total
    totals: Counter[float]
    # question id -> selected option ids -> count
    selections: dict[int, Counter[tuple[int, ...]]]


def _aggregate_rows(sql: str, params: list[int | str]) -> list[tuple]:
    """The rows of the statistics query; on PostgreSQL without JIT compilation, which
    costs more to compile (~0.4 s) than it saves on this one-pass aggregate."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # SET LOCAL lasts until the end of the transaction: this one, or the caller's.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count_tables(quiz: Quiz, version: StatisticsVersion, question_ids: list[int]) -> _CountTables:
    sql = _statistics_tables_sql(len(version.revision_ids), len(question_ids))
    scope: list[int | str] = [quiz.pk, *FINISHED, *version.revision_ids]
    tables = _CountTables(
        joint={qid: Counter() for qid in question_ids},
        totals=Counter(),
        selections={qid: Counter() for qid in question_ids},
    )
    for question_id, total, points, override, selected, count in _aggregate_rows(
        sql, [*scope, *question_ids, *scope]
    ):
        if question_id is None:
            tables.totals[float(total)] += count
            continue
        mark = override if override is not None else (points if points is not None else 0)
        # Subtract in the database's type (Decimal on PostgreSQL): exact rest marks.
        tables.joint[question_id][(float(total), float(mark), float(total - mark))] += count
        tables.selections[question_id][_selected_ids(selected)] += count
    return tables


def item_statistics(
    quiz: Quiz, version: StatisticsVersion, content: RevisionContent
) -> statistics.QuizStatistics:
    """Moodle-style item analysis of one version's finished attempts.

    The database reduces the answers to small count tables (two queries, none returning
    a row per answer); the pure statistics module computes the report from them. Attempts
    with no saved answer at all still count, with every mark 0.
    """
    questions = question_infos(content)
    if not questions:
        return statistics.quiz_statistics_from_tables(
            questions, totals=[], mark_counts=[], rest_counts=[], selection_counts=[]
        )
    question_ids = [question.id for question in questions]
    tables = _count_tables(quiz, version, question_ids)
    totals = list(chain.from_iterable(repeat(t, c) for t, c in tables.totals.items()))
    mark_counts, rest_counts, selection_counts = [], [], []
    for question_id in question_ids:
        marks: Counter[float] = Counter()
        rest: Counter[float] = Counter()
        unanswered = tables.totals.copy()  # attempts without this answer: mark 0, rest = total
        for (total, mark, rest_mark), count in tables.joint[question_id].items():
            marks[mark] += count
            rest[rest_mark] += count
            unanswered[total] -= count
        missing = +unanswered
        marks[0.0] += sum(missing.values())
        rest.update(missing)
        picked = tables.selections[question_id]
        picked[()] += max(0, len(totals) - sum(picked.values()))
        mark_counts.append(+marks)
        rest_counts.append(rest)
        selection_counts.append(+picked)
    return statistics.quiz_statistics_from_tables(
        questions,
        totals=totals,
        mark_counts=mark_counts,
        rest_counts=rest_counts,
        selection_counts=selection_counts,
    )


def statistics_report(quiz: Quiz, revision_id: int | None = None) -> StatisticsReport | None:
    """The item analysis of a quiz version (the newest by default); None without attempts.

    The page and its chart images need the same numbers, so the result is cached under a
    key that changes whenever an attempt finishes or a score changes (one cheap query).
    """
    revisions = quiz_revisions(quiz)
    versions = statistics_versions(quiz, revisions)
    if not versions:
        return None
    version = next((v for v in versions if revision_id in v.revision_ids), versions[0])
    signature = Attempt.objects.filter(
        quiz=quiz, state__in=FINISHED, revision_id__in=version.revision_ids
    ).aggregate(
        n=Count("id", distinct=True),
        last=Max("submitted_at"),
        change=Max("score_changes__id"),
    )
    key = "quizzes:statistics:{}:{}:{}:{}:{}".format(
        quiz.pk,
        version.newest,
        signature["n"],
        signature["last"].isoformat() if signature["last"] else "",
        signature["change"] or 0,
    )
    content = revisions[version.newest]
    stats = cached_once(
        key, lambda: item_statistics(quiz, version, content), timeout=STATISTICS_CACHE_SECONDS
    )
    stats = statistics.with_minimum_sample(stats, settings.QUIZ_STATISTICS_MIN_ATTEMPTS)
    return StatisticsReport(versions=versions, version=version, content=content, stats=stats)
