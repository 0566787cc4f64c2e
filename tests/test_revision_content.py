"""The revision content a start builds: identical to what model instances gave, hash included.

The content hash names a revision, so content built any other way than before (another key
order, a Decimal printed differently, options in another order) would give every quiz a
second revision. `instance_content` below is the model-instance build the plain-row build
must match byte for byte.
"""

import json
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from quizzes.content import content_hash
from quizzes.models import Option, Question, Quiz, QuizRevision, Section
from quizzes.selectors.banks import draw_sections
from quizzes.services.attempts import start_attempt
from quizzes.services.revisions import build_revision_content, current_revision, is_plain
from tests.banks import draw_section, make_bank
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def instance_content(quiz: Quiz, rng: random.Random) -> dict:
    """The content as built from model instances (prefetched options), the reference."""
    structured = Section.objects.filter(quiz_id=OuterRef("quiz_id")).filter(
        Q(bank__isnull=False)
        | ~Q(title="")
        | Exists(Section.objects.filter(quiz_id=OuterRef("quiz_id")).exclude(pk=OuterRef("pk")))
    )
    questions = list(
        quiz.questions.filter(published=True)
        .annotate(structured=Exists(structured))
        .prefetch_related("options")
        .order_by("position", "id")
    )
    sections = [] if questions and not questions[0].structured else list(quiz.sections.all())
    if is_plain(sections):
        return _instance_content(quiz, questions)
    plan = draw_sections(quiz, sections, rng=rng)
    chosen = [question_id for _section, ids in plan for question_id in ids]
    by_id = Question.objects.prefetch_related("options").in_bulk(chosen)
    content = _instance_content(quiz, [by_id[question_id] for question_id in chosen])
    content["sections"] = [{"title": section.title, "questions": ids} for section, ids in plan]
    return content


def _instance_content(quiz: Quiz, questions: list[Question]) -> dict:
    return {
        "title": quiz.title,
        "description": quiz.description,
        "description_html": quiz.description_html,
        "questions": [
            {
                "id": question.id,
                "text": question.text,
                "kind": question.kind,
                "explanation": question.explanation,
                "text_html": question.text_html,
                "explanation_html": question.explanation_html,
                "points": str(question.points),
                "partial_fraction": str(question.partial_fraction),
                "strategy": question.grading_strategy or quiz.grading_strategy,
                "options": [
                    {
                        "id": option.id,
                        "text": option.text,
                        "verdict": option.verdict,
                        "feedback": option.feedback,
                        "text_html": option.text_html,
                        "feedback_html": option.feedback_html,
                    }
                    for option in question.options.all()
                ],
            }
            for question in questions
        ],
    }


def assert_built_as_from_instances(quiz: Quiz, seed: int = 7) -> dict:
    built = build_revision_content(quiz, rng=random.Random(seed))
    reference = instance_content(quiz, random.Random(seed))
    # Byte for byte as stored (key order, value types), not only equal as Python values.
    assert json.dumps(built, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
    assert content_hash(built) == content_hash(reference)
    return built


def authored_quiz(**fields) -> Quiz:
    """Markdown with code, raw HTML and formulas; odd points; a strategy override; a draft;
    options whose ids do not follow their positions."""
    quiz = make_quiz(
        description="**Тест** с <b>HTML</b>, `кодом` и $x^2$",
        grading_strategy="all_or_nothing",
        **fields,
    )
    first = quiz.questions.get(position=1)
    first.text = "Что делает код?\n\n```python\nprint('<script>')\n```\n\n<img src=x onerror=1>"
    first.points = Decimal("2.50")
    first.partial_fraction = Decimal("0.125")
    first.grading_strategy = "per_option"
    first.save()
    second = quiz.questions.get(position=2)
    second.points = Decimal("0")
    second.save()
    # Written last position first: ids run against the positions.
    reversed_question = Question.objects.create(quiz=quiz, position=4, text="Обратный порядок")
    for position in (3, 2, 1):
        Option.objects.create(
            question=reversed_question,
            position=position,
            text=f"Вариант _{position}_",
            verdict="correct" if position == 1 else "incorrect",
            feedback="" if position == 2 else f"<i>отзыв</i> {position}",
        )
    Question.objects.create(quiz=quiz, position=5, text="Без вариантов")
    Question.objects.create(quiz=quiz, position=6, text="Черновик", published=False)
    return quiz


def test_a_plain_quiz_builds_the_same_content_as_from_instances():
    content = assert_built_as_from_instances(authored_quiz())
    assert "sections" not in content
    assert [q["points"] for q in content["questions"]][:2] == ["2.50", "0.00"]
    assert content["questions"][0]["partial_fraction"] == "0.125"
    assert [q["strategy"] for q in content["questions"]][:2] == ["per_option", "all_or_nothing"]
    assert [o["text"] for o in content["questions"][3]["options"]] == [
        "Вариант _1_",
        "Вариант _2_",
        "Вариант _3_",
    ]
    assert content["questions"][4]["options"] == []
    assert "Черновик" not in {q["text"] for q in content["questions"]}


def test_a_quiz_of_one_untitled_fixed_section_builds_the_same_content():
    quiz = authored_quiz()
    Section.objects.create(quiz=quiz, order=0)
    assert "sections" not in assert_built_as_from_instances(quiz)


def test_titled_fixed_sections_build_the_same_content():
    quiz = authored_quiz()
    first = Section.objects.create(quiz=quiz, order=0, title="Основы")
    second = Section.objects.create(quiz=quiz, order=1, title="Код")
    quiz.questions.filter(position__gte=3).update(section=second)
    quiz.questions.filter(position__lt=3).update(section=first)
    content = assert_built_as_from_instances(quiz)
    assert [section["title"] for section in content["sections"]] == ["Основы", "Код"]


def test_two_untitled_fixed_sections_build_the_same_content():
    quiz = authored_quiz()
    first = Section.objects.create(quiz=quiz, order=0)
    second = Section.objects.create(quiz=quiz, order=1)
    quiz.questions.filter(position__gte=3).update(section=second)
    quiz.questions.filter(position__lt=3).update(section=first)
    content = assert_built_as_from_instances(quiz)
    assert [section["title"] for section in content["sections"]] == ["", ""]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_drawn_sections_build_the_same_content(seed):
    quiz = authored_quiz()
    bank = make_bank("Банк", 8, tags={"лёгкие": range(1, 5)})
    Question.objects.filter(bank=bank, position=2).update(points=Decimal("3.25"))
    Section.objects.create(quiz=quiz, order=0, title="Свои")
    draw_section(quiz, bank, 2, order=1, title="Лёгкие", tag="лёгкие")
    draw_section(quiz, bank, 3, order=2)
    content = assert_built_as_from_instances(quiz, seed)
    assert [len(section["questions"]) for section in content["sections"]] == [5, 2, 3]


def test_a_quiz_made_only_of_draws_builds_the_same_content():
    quiz = make_quiz(questions=[], title="Только выборка")
    draw_section(quiz, make_bank("Банк", 5), 3, order=0)
    assert len(assert_built_as_from_instances(quiz)["questions"]) == 3


def test_a_quiz_without_questions_builds_the_same_content():
    assert assert_built_as_from_instances(make_quiz(questions=[]))["questions"] == []


def test_a_start_of_existing_content_keeps_the_revision_and_its_recorded_html():
    quiz = authored_quiz()
    revision = current_revision(quiz)
    # The revision recorded other HTML than the rows hold now (HTML is outside the hash).
    recorded = revision.content
    recorded["questions"][0]["text_html"] = "<p>as recorded</p>"
    QuizRevision.objects.filter(pk=revision.pk).update(content=recorded)

    attempt = start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="a@example.com")

    assert attempt.revision_id == revision.pk
    assert attempt.revision.content == recorded
    assert attempt.max_score == Decimal("5.50")  # 2.50 + 0 + 1 + 1 + 1, the draft not
    shown = [question["id"] for question in recorded["questions"]]
    assert sorted(attempt.layout["questions"]) == sorted(shown)


def test_a_start_of_existing_content_does_not_read_the_stored_content_back():
    quiz = authored_quiz()
    current_revision(quiz)
    with CaptureQueriesContext(connection) as queries:
        start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="a@example.com")
    revision_reads = [q["sql"] for q in queries if 'FROM "quizzes_quizrevision"' in q["sql"]]
    assert len(revision_reads) == 1
    assert '"quizzes_quizrevision"."content",' not in revision_reads[0]
