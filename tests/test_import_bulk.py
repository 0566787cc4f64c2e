"""import_quiz writes in bulk: queries do not grow with the number of questions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.formats.model import ParsedOption, ParsedQuestion, ParsedQuiz
from quizzes.models import Option, Question
from quizzes.services.importing import import_quiz

pytestmark = pytest.mark.django_db


def parsed_quiz(questions: int, *, options: int = 4, edit: str = "") -> ParsedQuiz:
    return ParsedQuiz(
        title="Bulk",
        description="Imported in bulk.",
        questions=[
            ParsedQuestion(
                text=f"Question {n}{edit}",
                kind="multiple" if n % 2 else "single",
                explanation=f"Because {n}.",
                options=[
                    ParsedOption(
                        text=f"Option {n}.{k}{edit}",
                        verdict="correct" if k == 1 else "incorrect",
                        feedback=f"Feedback {k}",
                    )
                    for k in range(1, options + 1)
                ],
            )
            for n in range(1, questions + 1)
        ],
    )


def import_queries(parsed: ParsedQuiz, slug: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        import_quiz(parsed=parsed, slug=slug)
    return len(queries)


# 30 questions × 4 options × 8 columns stay under SQLite's 999 parameters per statement,
# beyond which Django splits a bulk insert into batches (PostgreSQL takes up to 500
# questions and 1,000 options per statement).
@pytest.mark.parametrize("questions", [1, 30])
def test_importing_a_new_quiz_takes_a_constant_number_of_queries(
    questions, django_assert_max_num_queries
):
    # Savepoint, quiz lookup and insert, the existing questions (+ their options), then
    # one insert for all questions and one for all options.
    with django_assert_max_num_queries(8):
        import_quiz(parsed=parsed_quiz(questions), slug=f"bulk-{questions}")
    assert Question.objects.filter(quiz__slug=f"bulk-{questions}").count() == questions
    options = Option.objects.filter(question__quiz__slug=f"bulk-{questions}")
    assert options.count() == 4 * questions
    last = Question.objects.get(quiz__slug=f"bulk-{questions}", position=questions)
    assert last.text == f"Question {questions}"
    assert [(o.position, o.text, o.verdict) for o in last.options.order_by("position")] == [
        (k, f"Option {questions}.{k}", "correct" if k == 1 else "incorrect") for k in range(1, 5)
    ]


def test_new_and_changed_quizzes_cost_the_same_queries_for_1_and_30_questions():
    small_new = import_queries(parsed_quiz(1), "small")
    large_new = import_queries(parsed_quiz(30), "large")
    assert small_new == large_new
    small_edit = import_queries(parsed_quiz(1, edit=" (edited)"), "small")
    large_edit = import_queries(parsed_quiz(30, edit=" (edited)"), "large")
    assert small_edit == large_edit


def test_reimport_changes_in_place_keeping_ids_and_then_writes_nothing():
    import_quiz(parsed=parsed_quiz(30, options=5), slug="edit")
    ids = dict(Question.objects.filter(quiz__slug="edit").values_list("position", "id"))
    option_ids = set(
        Option.objects.filter(question__quiz__slug="edit").values_list("id", flat=True)
    )
    # Fewer options per question, one more question, every text edited.
    summary = import_quiz(parsed=parsed_quiz(31, options=3, edit="!"), slug="edit")
    assert (summary.questions_created, summary.questions_updated) == (1, 30)
    after = dict(Question.objects.filter(quiz__slug="edit").values_list("position", "id"))
    assert {p: after[p] for p in ids} == ids
    assert Question.objects.get(pk=ids[7]).text == "Question 7!"
    kept = Option.objects.filter(question__quiz__slug="edit", question__position__lte=30)
    assert set(kept.values_list("id", flat=True)) < option_ids
    assert sorted(kept.filter(question_id=ids[7]).values_list("position", "text")) == [
        (1, "Option 7.1!"),
        (2, "Option 7.2!"),
        (3, "Option 7.3!"),
    ]
    with CaptureQueriesContext(connection) as queries:
        again = import_quiz(parsed=parsed_quiz(31, options=3, edit="!"), slug="edit")
    assert not again.changed
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
