"""The attempt page names questions and options by per-attempt tokens, never by ids.

Option ids are sequential, and authors often write the right option first: ids on the page
would tell the authored order through any shuffle, and the same names in every attempt
would let answers be pooled across attempts. These tests read the page as a browser does,
answer with what it says, and check that nothing else gets in.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from quizzes.models import Answer, Attempt
from quizzes.views import attempt_page
from tests.builders import ALL_RIGHT, ALL_WRONG, make_large_quiz, make_quiz

pytestmark = pytest.mark.django_db


@dataclass
class AttemptPage:
    """What a browser sees of the questions on an attempt page."""

    questions: list[str] = field(default_factory=list)  # data-question, in page order
    element_ids: list[str] = field(default_factory=list)  # ids inside the question blocks
    names: list[str] = field(default_factory=list)  # option input names
    values: list[str] = field(default_factory=list)  # option input values
    label_for: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # the hidden `shown` values
    options: dict[str, tuple[str, str]] = field(default_factory=dict)  # label text -> name, value

    def names_and_values(self) -> set[str]:
        return {*self.questions, *self.element_ids, *self.names, *self.values, *self.shown}


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = AttemptPage()
        self.depth = 0  # inside a question's fieldset
        self.inputs: dict[str, tuple[str, str]] = {}  # element id -> name, value
        self.label: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == "shown":
            self.page.shown.append(attributes["value"])
        if tag == "fieldset" and "data-question" in attributes:
            self.depth += 1
            self.page.questions.append(attributes["data-question"])
        if not self.depth:
            return
        if "id" in attributes:
            self.page.element_ids.append(attributes["id"])
        if tag == "input":
            self.page.names.append(attributes["name"])
            self.page.values.append(attributes["value"])
            self.inputs[attributes["id"]] = (attributes["name"], attributes["value"])
        if tag == "label":
            self.page.label_for.append(attributes["for"])
            self.label, self.text = attributes["for"], ""

    def handle_data(self, data):
        if self.label is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "label" and self.label is not None:
            self.page.options[self.text.strip()] = self.inputs[self.label]
            self.label = None
        if tag == "fieldset" and self.depth:
            self.depth -= 1


def read_page(client, attempt) -> AttemptPage:
    reader = _PageReader()
    reader.feed(client.get(attempt.get_absolute_url()).content.decode())
    return reader.page


def answers_from_page(page: AttemptPage, choices: dict[int, list[str]]) -> list[tuple]:
    """POST pairs ticking the options with these texts, named as the page names them."""
    return [page.options[text] for texts in choices.values() for text in texts]


def post_pairs(client, url, pairs):
    body = "&".join(f"{name}={value}" for name, value in pairs)
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def autosave_url(attempt):
    return reverse("quizzes:autosave", args=[attempt.public_id])


def two_attempts(quiz):
    first_client, second_client = Client(), Client()
    attempts = []
    for n, client in enumerate((first_client, second_client)):
        response = client.post(
            quiz.get_absolute_url(), {"candidate_name": f"C{n}", "candidate_email": f"c{n}@x.org"}
        )
        attempts.append(Attempt.objects.get(public_id=response["Location"].split("/")[-2]))
    return (first_client, attempts[0]), (second_client, attempts[1])


def database_ids(quiz) -> set[int]:
    return {
        *quiz.questions.values_list("id", flat=True),
        *quiz.questions.values_list("options__id", flat=True),
    }


def assert_nothing_stored(attempt):
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert attempt.save_seq == 0
    assert not Answer.objects.filter(attempt=attempt).exists()


@pytest.mark.parametrize("shuffle", [True, False], ids=["shuffled", "authored order"])
def test_two_attempts_share_no_option_value_field_name_or_element_id(shuffle):
    quiz = make_large_quiz(
        access="public", questions=6, options=5, shuffle_questions=shuffle, shuffle_options=shuffle
    )
    (first_client, first), (second_client, second) = two_attempts(quiz)

    pages = [read_page(first_client, first), read_page(second_client, second)]

    for page in pages:
        assert len(page.questions) == 6 and len(page.values) == 30
        assert set(page.label_for) == {i for i in page.element_ids if i.startswith("o-")}
        assert page.shown == page.questions
    mine, theirs = (page.names_and_values() for page in pages)
    assert mine.isdisjoint(theirs)
    ids = database_ids(quiz)
    positions = range(0, 31)
    for text in mine | theirs:
        # A prefix and fourteen letters: no id, position or number of any kind in them.
        assert re.fullmatch(r"(q_|q-|o-)?[a-p]{14}", text), text
        assert not any(str(number) in text for number in ids | set(positions)), text


def test_sorting_the_values_does_not_give_back_the_authored_order():
    # Sequential ids sorted would list every question's options as authored; 12 questions
    # of 8 options in a random order each come out sorted by chance 1 in 8! times.
    quiz = make_large_quiz(access="public", questions=12, options=8, shuffle_options=True)
    (client, attempt), _ = two_attempts(quiz)
    page = read_page(client, attempt)
    position = {
        attempt.tokens.option(option_id): number
        for option_id, number in quiz.questions.values_list("options__id", "options__position")
    }
    in_authored_order = 0
    for question in page.questions:
        values = sorted(
            v for n, v in zip(page.names, page.values, strict=True) if n == f"q_{question}"
        )
        positions = [position[value] for value in values]
        assert len(positions) == 8
        in_authored_order += positions == sorted(positions)
    assert in_authored_order < 3


def test_answering_with_what_the_page_says_grades_as_authored(client, start):
    quiz = make_quiz(access="public", shuffle_questions=True, shuffle_options=True)
    attempt = start(quiz)
    page = read_page(client, attempt)
    pairs = [("shown", token) for token in page.shown] + answers_from_page(page, ALL_RIGHT)

    response = post_pairs(client, attempt.get_absolute_url(), [*pairs, ("action", "finish")])

    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.score == attempt.max_score == 3
    stored = dict(attempt.answers.values_list("question_id", "selected"))
    for position, texts in ALL_RIGHT.items():
        question = quiz.questions.get(position=position)
        expected = sorted(question.options.filter(text__in=texts).values_list("id", flat=True))
        assert stored[question.id] == expected


def test_wrong_answers_through_the_page_score_zero(client, start):
    quiz = make_quiz(access="public", shuffle_options=True)
    attempt = start(quiz)
    page = read_page(client, attempt)
    post_pairs(client, attempt.get_absolute_url(), answers_from_page(page, ALL_WRONG))
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.state == Attempt.State.SUBMITTED


def test_a_token_of_another_attempt_is_refused_and_nothing_is_stored():
    quiz = make_quiz(access="public", shuffle_options=True)
    (client, mine), (other_client, theirs) = two_attempts(quiz)
    my_page, their_page = read_page(client, mine), read_page(other_client, theirs)
    text = ALL_RIGHT[2][0]
    my_name, my_value = my_page.options[text]
    their_name, their_value = their_page.options[text]
    forgeries = {
        "their option in my question": [(my_name, their_value)],
        "their question with their option": [(their_name, their_value)],
        "their question with my option": [(their_name, my_value)],
        "their question as shown": [("shown", their_page.questions[0]), (my_name, my_value)],
    }
    for url in (mine.get_absolute_url(), autosave_url(mine)):
        for label, pairs in forgeries.items():
            response = post_pairs(client, url, [*pairs, ("seq", "1")])
            assert response.status_code == 400, (url, label)
            assert_nothing_stored(mine)
    assert_nothing_stored(theirs)


def test_a_token_of_another_question_of_the_same_attempt_is_refused(client, start):
    quiz = make_quiz(access="public", shuffle_options=True)
    attempt = start(quiz)
    page = read_page(client, attempt)
    question_two, _ = page.options[ALL_RIGHT[2][0]]
    _, option_of_three = page.options[ALL_RIGHT[3][0]]
    for url in (attempt.get_absolute_url(), autosave_url(attempt)):
        response = post_pairs(client, url, [(question_two, option_of_three), ("seq", "1")])
        assert response.status_code == 400
    assert_nothing_stored(attempt)


def test_database_ids_are_refused_where_the_page_gave_tokens(client, start):
    quiz = make_quiz(access="public")
    attempt = start(quiz)
    question = quiz.questions.get(position=2)
    option = question.options.get(text=ALL_RIGHT[2][0])
    forgeries = {
        "ids for both": [(f"q_{question.id}", option.id)],
        "id as the value": [(f"q_{attempt.tokens.question(question.id)}", option.id)],
        "id as the name": [(f"q_{question.id}", attempt.tokens.option(option.id))],
        "id as shown": [("shown", question.id)],
    }
    for url in (attempt.get_absolute_url(), autosave_url(attempt)):
        for label, pairs in forgeries.items():
            response = post_pairs(client, url, [*pairs, ("seq", "1")])
            assert response.status_code == 400, (url, label)
    assert_nothing_stored(attempt)


def test_autosave_and_time_per_question_use_the_pages_names(client, start):
    quiz = make_quiz(access="public", shuffle_questions=True, shuffle_options=True)
    attempt = start(quiz)
    page = read_page(client, attempt)
    name, value = page.options[ALL_RIGHT[3][0]]
    question = name.removeprefix("q_")
    # What attempt.js sends: the changed answers, and seconds per data-question.
    pairs = [(name, value), ("seq", "4"), (f"t_{question}", "12"), ("focus_lost", "1")]
    pairs += [(f"t_{other}", "3") for other in page.questions if other != question]

    response = post_pairs(client, autosave_url(attempt), pairs)

    assert response.json() == {"saved": True, "stale": False, "seq": 4}
    third = quiz.questions.get(position=3)
    answers = {a.question_id: (a.selected, a.time_spent) for a in attempt.answers.all()}
    right = third.options.get(text=ALL_RIGHT[3][0]).id
    assert answers.pop(third.id) == ([right], 12)
    assert sorted(answers.values()) == [([], 3), ([], 3)]
    attempt.refresh_from_db()
    assert (attempt.save_seq, attempt.focus_lost_count) == (4, 1)
    assert f'value="{value}" class="form-check-input" id="o-{value}" checked' in (
        client.get(attempt.get_absolute_url()).content.decode()
    )


def test_an_attempt_started_before_tokens_keeps_its_ids(client, start):
    quiz = make_quiz(access="public", shuffle_options=True)
    attempt = start(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(token_key="")  # as migrated
    question = quiz.questions.get(position=3)
    right = question.options.get(text=ALL_RIGHT[3][0])

    html = client.get(attempt.get_absolute_url()).content.decode()
    assert f'name="q_{question.id}" value="{right.id}"' in html
    assert f'<input type="hidden" name="shown" value="{question.id}">' in html
    assert f'data-question="{question.id}"' in html

    saved = post_pairs(
        client,
        autosave_url(attempt),
        [
            (f"q_{question.id}", right.id),
            ("shown", question.id),
            ("seq", 1),
            (f"t_{question.id}", 9),
        ],
    )
    assert saved.json() == {"saved": True, "stale": False, "seq": 1}
    assert attempt.answers.get(question_id=question.id).time_spent == 9
    submitted = client.post(attempt.get_absolute_url(), {f"q_{question.id}": right.id})
    assert submitted.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 1 and attempt.state == Attempt.State.SUBMITTED


def test_the_cached_page_markup_holds_no_token(client, start):
    # Both attempts come from this one browser: the quiz must allow more than one.
    quiz = make_large_quiz(access="public", questions=3, options=4, attempts_allowed=None)
    attempt_page.KITS.clear()
    attempt_page.FRAMES.clear()
    first, second = start(quiz), start(quiz, email="b@example.com")
    client.get(first.get_absolute_url())
    kits, frames = dict(attempt_page.KITS.entries), dict(attempt_page.FRAMES.entries)
    assert len(kits) == len(frames) == 1
    # The second attempt is built from the same cached markup, with its own tokens.
    second_page = read_page(client, second)
    assert kits == attempt_page.KITS.entries and frames == attempt_page.FRAMES.entries
    assert second_page.values == [
        second.tokens.option(option["id"])
        for question in second.revision.content["questions"]
        for option in question["options"]
    ]
    cached = repr(kits) + repr(frames) + repr([cache.get(key) for key in [*kits, *frames]])
    for attempt in (first, second):
        for question in attempt.revision.content["questions"]:
            assert attempt.tokens.question(question["id"]) not in cached
            for option in question["options"]:
                assert attempt.tokens.option(option["id"]) not in cached
