"""Migration 0018: each quiz becomes a bank and one fixed section; old attempts stay as are."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Question, QuestionBank, Quiz, Section
from quizzes.services.attempts import start_attempt, submit_attempt
from tests.banks import comparable
from tests.builders import ALL_RIGHT, answer_post, make_quiz
from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("quizzes", "0017_outbound_email_queued_by")]


def test_old_attempts_keep_their_result_pages_byte_for_byte(client, start):
    quiz = make_quiz(
        title="Старый тест",
        access="public",
        review_after_attempt="full",
        shuffle_questions=True,
        shuffle_options=True,
    )
    attempt = start(quiz)
    client.post(
        reverse("quizzes:confirm_submit", kwargs={"public_id": attempt.public_id}),
        {**answer_post(attempt, ALL_RIGHT), "confirm": "1"},
    )
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.SUBMITTED
    other = start_attempt(quiz=quiz, candidate_name="Борис", candidate_email="b@example.com")
    submit_attempt(attempt_id=other.pk, selections={})
    url = reverse("quizzes:result", kwargs={"public_id": attempt.public_id})
    before = client.get(url).content.decode()
    assert "Взрыв градиентов" in before
    rows_before = list(Attempt.objects.order_by("pk").values())

    migrate(BEFORE)
    migrate_to_latest()

    assert comparable(client.get(url).content.decode()) == comparable(before)
    assert list(Attempt.objects.order_by("pk").values()) == rows_before
    bank = QuestionBank.objects.get()
    assert (bank.title, bank.slug) == ("Старый тест", quiz.slug)
    assert set(Question.objects.values_list("bank", flat=True)) == {bank.pk}
    section = Section.objects.get()
    assert (section.quiz_id, section.title, section.is_drawn) == (quiz.pk, "", False)
    # The quiz presents what it did: a new attempt gets the very same revision.
    again = start_attempt(quiz=Quiz.objects.get(), candidate_name="В", candidate_email="v@e.com")
    assert again.revision_id == attempt.revision_id
