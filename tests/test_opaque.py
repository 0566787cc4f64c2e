"""Opaque tokens: what an attempt page calls questions and options instead of their ids."""

import re

from hypothesis import given
from hypothesis import strategies as st

from quizzes import opaque
from quizzes.opaque import Tokens, new_key

KEY = "ab" * 32


def test_a_token_is_fourteen_lowercase_letters_and_stable_under_one_key():
    tokens = Tokens(KEY)
    assert tokens.opaque
    assert re.fullmatch(r"[a-p]{14}", tokens.question(7))
    assert re.fullmatch(r"[a-p]{14}", tokens.option(7))
    assert Tokens(KEY).question(7) == tokens.question(7)
    assert Tokens(KEY).option(7) == tokens.option(7)


def test_a_question_and_an_option_with_the_same_id_get_different_tokens():
    tokens = Tokens(KEY)
    assert tokens.question(7) != tokens.option(7)


def test_another_key_gives_other_tokens():
    first, second = Tokens(KEY), Tokens("cd" * 32)
    assert {first.question(n) for n in range(50)}.isdisjoint(second.question(n) for n in range(50))
    assert {first.option(n) for n in range(50)}.isdisjoint(second.option(n) for n in range(50))


def test_without_a_key_tokens_are_the_ids_as_before():
    tokens = Tokens("")
    assert not tokens.opaque
    assert (tokens.question(12), tokens.option(345)) == ("12", "345")


@given(st.lists(st.integers(min_value=1, max_value=2**62), min_size=1, max_size=40, unique=True))
def test_tokens_never_contain_a_digit(ids):
    tokens = Tokens(KEY)
    for object_id in ids:
        assert not re.search(r"\d", tokens.question(object_id) + tokens.option(object_id))


def test_new_key_gives_every_question_and_option_its_own_token():
    key = new_key(range(1, 501), range(1, 5001))
    tokens = Tokens(key)
    names = [tokens.question(n) for n in range(1, 501)] + [tokens.option(n) for n in range(1, 5001)]
    assert len(set(names)) == len(names)
    assert new_key([1], [1]) != new_key([1], [1])


def test_new_key_draws_again_when_two_tokens_would_clash(monkeypatch):
    # With one-letter tokens clashes are easy to find; the mapping back must stay exact.
    monkeypatch.setattr(opaque, "TOKEN_LENGTH", 1)
    candidates = (f"{n:064x}" for n in range(10_000))

    def clashes(key):
        tokens = Tokens(key)
        names = [tokens.question(n) for n in range(1, 6)]
        return len(set(names)) < len(names)

    clashing = next(key for key in candidates if clashes(key))
    fine = next(key for key in candidates if not clashes(key))
    drawn = iter([clashing, fine])
    monkeypatch.setattr(opaque.secrets, "token_hex", lambda _: next(drawn))

    assert new_key(range(1, 6), []) == fine


def test_page_names_derive_from_tokens():
    assert opaque.field_name("abc") == "q_abc"
    assert opaque.time_field_name("abc") == "t_abc"
    assert opaque.question_element_id("abc") == "q-abc"
    assert opaque.option_element_id("abc") == "o-abc"
