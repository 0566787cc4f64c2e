"""Opaque names for what an attempt page shows: tokens instead of question and option ids.

Database ids are sequential, so on the page they would tell a candidate the order an
author wrote the options in (often the right one first) even when the attempt shuffles
them, and the same names in every attempt would let answers be collected across attempts.
Each attempt therefore gets a random key at start; a question's or option's token is a
keyed hash of its id under that key. The server keeps only the key and maps tokens back.

Tokens are lowercase letters only, so no token contains an id or a position, and each is
a valid HTML id and CSS identifier. Attempts started before tokens existed have no key:
their tokens are their ids, as their pages always had.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

TOKEN_LENGTH = 12  # 26**12 ≈ 2**56 values
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Tokens:
    """The tokens of one attempt, computed from its key (cached for the instance)."""

    __slots__ = ("_cache", "_key")

    def __init__(self, key: str) -> None:
        self._key = bytes.fromhex(key) if key else None
        self._cache: dict[str, str] = {}

    @property
    def opaque(self) -> bool:
        """False for an attempt without a key, whose tokens are its ids."""
        return self._key is not None

    def question(self, question_id: int) -> str:
        return self._token("q", question_id)

    def option(self, option_id: int) -> str:
        return self._token("o", option_id)

    def _token(self, kind: str, object_id: int) -> str:
        if self._key is None:
            return str(object_id)
        # The kind is part of the hashed message: a question and an option with the same
        # id never share a token.
        message = f"{kind}{object_id}"
        token = self._cache.get(message)
        if token is None:
            digest = hashlib.blake2b(message.encode(), key=self._key, digest_size=8).digest()
            number = int.from_bytes(digest, "big")
            letters = []
            for _ in range(TOKEN_LENGTH):
                number, rest = divmod(number, len(_LETTERS))
                letters.append(_LETTERS[rest])
            token = self._cache[message] = "".join(letters)
        return token


def new_key(question_ids: Iterable[int], option_ids: Iterable[int]) -> str:
    """A random key under which every given question and option gets its own token.

    A clash is about as likely as guessing a 56-bit number, but the mapping back must be
    exact, so a key that would cause one is simply drawn again.
    """
    questions, options = list(question_ids), list(option_ids)
    while True:
        key = secrets.token_hex(32)
        tokens = Tokens(key)
        names = [tokens.question(i) for i in questions] + [tokens.option(i) for i in options]
        if len(set(names)) == len(names):
            return key


# How the attempt page names things after their tokens; the forms read the same names back.
def field_name(question_token: str) -> str:
    return f"q_{question_token}"


def time_field_name(question_token: str) -> str:
    return f"t_{question_token}"


def question_element_id(question_token: str) -> str:
    return f"q-{question_token}"


def option_element_id(option_token: str) -> str:
    return f"o-{option_token}"
