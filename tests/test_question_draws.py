"""Sections and random draws: each candidate gets their own questions, kept with the attempt."""

import random
from collections import Counter
from decimal import Decimal
from itertools import combinations

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Option, Question, Section
from quizzes.services.attempts import InvalidAnswer, start_attempt, submit_attempt
from quizzes.services.regrade import regrade_quiz_attempts
from tests.banks import comparable, correct_selections, draw_section, make_bank
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

# The chi-square critical values at p = 0.001 (tables of the chi-square distribution): a
# fair draw fails this with probability 1/1000, and the seeds are fixed, so it never flakes.
CHI2_CRITICAL_0_001 = {4: 18.467, 9: 27.877}


def chi_square(observed: Counter, categories: list, expected: float) -> float:
    return sum((observed[c] - expected) ** 2 / expected for c in categories)


def drawn_ids(attempt: Attempt) -> list[int]:
    return [question["id"] for question in attempt.revision.content["questions"]]


def start(quiz, n: int, rng=None) -> Attempt:
    return start_attempt(
        quiz=quiz, candidate_name=f"Кандидат {n}", candidate_email=f"c{n}@example.com", rng=rng
    )


def test_every_pair_of_a_five_question_bank_is_drawn_equally_often():
    quiz = make_quiz(questions=[], title="Выборка")
    bank = make_bank("Банк", 5)
    draw_section(quiz, bank, 2, order=0)
    pairs = [
        frozenset(pair) for pair in combinations(bank.questions.values_list("id", flat=True), 2)
    ]
    rng = random.Random(20261130)
    starts = 1000
    drawn = Counter(frozenset(drawn_ids(start(quiz, n, rng))) for n in range(starts))
    assert set(drawn) == set(pairs)
    statistic = chi_square(drawn, pairs, starts / len(pairs))
    assert statistic < CHI2_CRITICAL_0_001[len(pairs) - 1], (statistic, drawn)
    # Each question is then seen by about two fifths of the candidates.
    seen = Counter(
        question_id for pair, n in drawn.items() for question_id in pair for _ in range(n)
    )
    questions = list(bank.questions.values_list("id", flat=True))
    assert chi_square(seen, questions, starts * 2 / 5) < CHI2_CRITICAL_0_001[4]


def test_a_biased_draw_would_fail_the_uniformity_check():
    # The check has teeth: the same number of draws always avoiding one pair fails it.
    pairs = list(range(10))
    biased = Counter({pair: 111 for pair in pairs[1:]} | {pairs[0]: 1})
    assert chi_square(biased, pairs, 100) > CHI2_CRITICAL_0_001[9]


def test_draws_take_only_published_unretired_questions_with_the_tag():
    quiz = make_quiz(questions=[], title="Теги")
    bank = make_bank("Сети", 6, tags={"cnn": range(1, 5)})
    bank.questions.filter(position=1).update(retired=True)
    bank.questions.filter(position=2).update(published=False)
    draw_section(quiz, bank, 2, order=0, tag="cnn")
    rng = random.Random(7)
    seen = {question_id for n in range(40) for question_id in drawn_ids(start(quiz, n, rng))}
    assert seen == set(bank.questions.filter(position__in=[3, 4]).values_list("id", flat=True))


def test_fixed_and_drawn_sections_come_in_order_and_shuffle_only_within_themselves():
    quiz = make_quiz(title="Разделы", shuffle_questions=True)
    own = list(quiz.questions.values_list("id", flat=True))
    fixed = Section.objects.create(quiz=quiz, order=0, title="Основы")
    bank = make_bank("Банк", 8)
    draw_section(quiz, bank, 3, order=1, title="Случайные")
    rng = random.Random(3)
    orders = set()
    for n in range(30):
        attempt = start(quiz, n, rng)
        sections = attempt.revision.content["sections"]
        assert [s["title"] for s in sections] == ["Основы", "Случайные"]
        assert sections[0]["questions"] == own
        assert len(sections[1]["questions"]) == 3
        order = attempt.layout["questions"]
        assert set(order[:3]) == set(own)
        assert set(order[3:]) == set(sections[1]["questions"])
        orders.add(tuple(order[:3]))
    assert len(orders) > 1  # shuffled within the fixed section
    assert fixed.fixed_questions.count() == 0  # unassigned questions fill the first one


def test_candidates_drawing_the_same_questions_share_one_revision():
    quiz = make_quiz(questions=[], title="Общие")
    bank = make_bank("Банк", 3)
    draw_section(quiz, bank, 3, order=0)
    first, second = start(quiz, 1), start(quiz, 2)
    assert first.revision_id == second.revision_id


def test_two_candidates_get_different_questions_and_both_are_graded_right():
    quiz = make_quiz(questions=[], title="Двое")
    bank = make_bank("Банк", 6)
    draw_section(quiz, bank, 2, order=0)
    anna = start(quiz, 1, random.Random(1))
    boris = start(quiz, 2, random.Random(2))
    assert set(drawn_ids(anna)).isdisjoint(drawn_ids(boris))
    # Anna answers everything right; Boris gets one of his two questions wrong.
    submit_attempt(attempt_id=anna.pk, selections=correct_selections(anna.revision.content))
    wrong = correct_selections(boris.revision.content)
    first = boris.revision.content["questions"][0]
    wrong[first["id"]] = [first["options"][0]["id"]]
    submit_attempt(attempt_id=boris.pk, selections=wrong)
    anna.refresh_from_db()
    boris.refresh_from_db()
    assert (anna.score, anna.max_score) == (Decimal(2), Decimal(2))
    assert (boris.score, boris.max_score) == (Decimal(1), Decimal(2))


def test_a_question_the_candidate_did_not_draw_cannot_be_answered():
    quiz = make_quiz(questions=[], title="Чужой")
    bank = make_bank("Банк", 4)
    draw_section(quiz, bank, 1, order=0)
    attempt = start(quiz, 1, random.Random(5))
    other = bank.questions.exclude(pk__in=drawn_ids(attempt)).first()
    with pytest.raises(InvalidAnswer):
        submit_attempt(attempt_id=attempt.pk, selections={other.pk: [other.options.first().pk]})


def test_the_result_page_shows_exactly_the_drawn_questions_even_after_the_bank_changes(
    client, start
):
    quiz = make_quiz(questions=[], title="Обзор", access="public", review_after_attempt="full")
    bank = make_bank("Пул", 6)
    draw_section(quiz, bank, 2, order=0, title="Из пула")
    attempt = start(quiz)
    drawn = drawn_ids(attempt)
    submit_attempt(attempt_id=attempt.pk, selections=correct_selections(attempt.revision.content))
    url = reverse("quizzes:result", kwargs={"public_id": attempt.public_id})
    page = comparable(client.get(url).content.decode())
    for question in bank.questions.all():
        assert (f"Пул {question.position}</p>" in page) == (question.pk in drawn)
    # Retiring and rewording the drawn questions, or drawing anew, changes nothing here.
    Question.objects.filter(pk__in=drawn).update(retired=True, text="Новый текст")
    start_attempt(quiz=quiz, candidate_name="Борис", candidate_email="b@example.com")
    assert comparable(client.get(url).content.decode()) == page


def test_a_regrade_reaches_questions_drawn_from_a_bank():
    quiz = make_quiz(questions=[], title="Перепроверка")
    bank = make_bank("Банк", 3)
    draw_section(quiz, bank, 3, order=0)
    attempt = start(quiz, 1)
    submit_attempt(attempt_id=attempt.pk, selections=correct_selections(attempt.revision.content))
    # The author finds the key of question 1 wrong: «неверно 1» was the right answer.
    question = bank.questions.get(position=1)
    Option.objects.filter(question=question, position=1).update(verdict="correct")
    Option.objects.filter(question=question, position=2).update(verdict="incorrect")
    report = regrade_quiz_attempts(quiz=quiz, dry_run=False)
    attempt.refresh_from_db()
    assert (len(report.changes), report.skipped) == (1, [])
    assert attempt.score == Decimal(2)


def test_candidates_see_section_titles_above_each_section(client, start):
    quiz = make_quiz(title="С разделами", access="public", review_after_attempt="full")
    Section.objects.create(quiz=quiz, order=0, title="Основы")
    draw_section(quiz, make_bank("Пул", 3), 2, order=1, title="Из банка")
    attempt = start(quiz)
    page = client.get(attempt.get_absolute_url()).content.decode()
    first, second = page.index(">Основы</h2>"), page.index(">Из банка</h2>")
    assert first < page.index("Какое утверждение про Adam верное?") < second
    assert second < page.index("Пул ")
    submit_attempt(attempt_id=attempt.pk, selections={})
    result = client.get(reverse("quizzes:result", kwargs={"public_id": attempt.public_id}))
    html = result.content.decode()
    assert html.count('class="h5 section-title"') == 2
    assert html.index(">Основы</h2>") < html.index(">Из банка</h2>") < html.index("Пул ")


def test_a_quiz_without_titled_sections_shows_no_section_heading(client, start):
    quiz = make_quiz(title="Без разделов", access="public", review_after_attempt="full")
    Section.objects.create(quiz=quiz, order=0)
    attempt = start(quiz)
    assert "section-title" not in client.get(attempt.get_absolute_url()).content.decode()
