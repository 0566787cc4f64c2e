"""Opaque names for what an attempt page shows: tokens instead of question and option ids.

Database ids are sequential, so on the page they would tell a candidate the order an
author wrote the options in (often the right one first) even when the attempt shuffles
them, and the same names in every attempt would let answers be collected across attempts.
Each attempt therefore gets a random key at start; a question's or option's token is a
keyed hash of its id under that key. The server keeps only the key and maps tokens back.

Tokens are lowercase letters only (the hash's hex digits spelled a–p), so no token
contains an id or a position, and each is a valid HTML id and CSS identifier. Attempts
started before tokens existed have no key: their tokens are their ids, as their pages
always had.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

TOKEN_LENGTH = 14  # letters of 4 bits each (56 bits) from a hash of 64
_HEX_AS_LETTERS = bytes.maketrans(b"0123456789abcdef", b"abcdefghijklmnop")


class Tokens:
    """The tokens of one attempt, computed from its key (cached for the instance)."""

    __slots__ = ("_cache", "_keyed")

    def __init__(self, key: str) -> None:
        # Copying a keyed hash is cheaper than keying a new one for every token.
        self._keyed = hashlib.blake2b(key=bytes.fromhex(key), digest_size=8) if key else None
        self._cache: dict[bytes, str] = {}

    @property
    def opaque(self) -> bool:
        """False for an attempt without a key, whose tokens are its ids."""
        return self._keyed is not None

    def question(self, question_id: int) -> str:
        return self._token(b"q", question_id)

    def option(self, option_id: int) -> str:
        return self._token(b"o", option_id)

    def _token(self, kind: bytes, object_id: int) -> str:
        if self._keyed is None:
            return str(object_id)
        # The kind is part of the hashed message: a question and an option with the same
        # id never share a token.
        message = b"%s%d" % (kind, object_id)
        token = self._cache.get(message)
        if token is None:
            digest = self._keyed.copy()
            digest.update(message)
            hex_digits = digest.hexdigest().encode()[:TOKEN_LENGTH]
            token = self._cache[message] = hex_digits.translate(_HEX_AS_LETTERS).decode()
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
