"""Statistics: Moodle-style item analysis of a quiz's finished attempts, version by version."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from itertools import chain, repeat

from django.conf import settings
from django.db import connection
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


def _statistics_tables_sql(revision_count: int, question_count: int) -> tuple[str, str]:
    """The two aggregate queries of item_statistics (portable: PostgreSQL and SQLite)."""
    answer, attempt = Answer._meta.db_table, Attempt._meta.db_table
    revisions = ", ".join(["%s"] * revision_count)
    questions = ", ".join(["%s"] * question_count)
    scope = (
        f"FROM {answer} an JOIN {attempt} at ON at.id = an.attempt_id "
        f"WHERE at.quiz_id = %s AND at.state IN (%s, %s) AND at.revision_id IN ({revisions}) "
        f"AND an.question_id IN ({questions})"
    )
    mark = "COALESCE(an.override_points, an.points, 0)"
    # One row per (question, attempt total, mark, answers in the attempt) with its count:
    # a few thousand rows instead of millions. The answer count lets the attempt totals be
    # recovered too (an attempt appears once per answer it has).
    marks = (
        "SELECT question_id, total, mark, answered, COUNT(*) FROM ("
        f"SELECT an.question_id, {mark} AS mark, "
        f"SUM({mark}) OVER (PARTITION BY an.attempt_id) AS total, "
        "COUNT(*) OVER (PARTITION BY an.attempt_id) AS answered "
        f"{scope}) AS rows GROUP BY question_id, total, mark, answered"
    )
    selections = f"SELECT an.question_id, an.selected, COUNT(*) {scope} GROUP BY 1, 2"
    return marks, selections


def _selected_ids(value: object) -> tuple[int, ...]:
    # The database driver hands JSON back as text or already decoded, depending on backend.
    if isinstance(value, str | bytes):
        return tuple(json.loads(value))
    return tuple(value) if isinstance(value, list) else ()


@dataclass
class _CountTables:
    """What the database reduces a version's answers to: small tables of counts."""

    # question id -> [(attempt total, mark, rest of the total, count)]
    joint: dict[int, list[tuple[float, float, float, int]]]
    # attempt total -> attempts with that total (attempts with no answer are added later)
    totals: Counter[float]
    # question id -> selected option ids -> count
    selections: dict[int, Counter[tuple[int, ...]]]


def _count_tables(quiz: Quiz, version: StatisticsVersion, question_ids: list[int]) -> _CountTables:
    marks_sql, selections_sql = _statistics_tables_sql(len(version.revision_ids), len(question_ids))
    params: list[int | str] = [quiz.pk, *FINISHED, *version.revision_ids, *question_ids]
    tables = _CountTables(
        joint={qid: [] for qid in question_ids},
        totals=Counter(),
        selections={qid: Counter() for qid in question_ids},
    )
    answered_totals: Counter[float] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(marks_sql, params)
        for question_id, total, mark, answered, count in cursor.fetchall():
            # Subtract in the database's type (Decimal on PostgreSQL): exact rest marks.
            tables.joint[question_id].append(
                (float(total), float(mark), float(total - mark), count)
            )
            answered_totals[float(total)] += count / answered
        cursor.execute(selections_sql, params)
        for question_id, selected, count in cursor.fetchall():
            tables.selections[question_id][_selected_ids(selected)] += count
    tables.totals = Counter({total: round(count) for total, count in answered_totals.items()})
    # An attempt that finished between the queries is not in `attempts`: never count more.
    tables.totals[0.0] += max(0, version.attempts - sum(tables.totals.values()))
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
        for total, mark, rest_mark, count in tables.joint[question_id]:
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
