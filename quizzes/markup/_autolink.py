"""Bare email addresses with an underscore in their local part, linked whole, as on GitHub.

mdit-py-plugins' GFM autolinks find a bare address by looking back from its `@` through
the text not yet made into tokens, but the emphasis rule has already taken every `_` out
of that text as a possible delimiter. So "john_doe@example.com" became a link to
"doe@example.com": the wrong address. GitHub (cmark-gfm) finds addresses after emphasis
is settled; this core rule does the same by moving the address characters that end the
text before such a link into it.
"""

from __future__ import annotations

import string

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

LOCAL_PART_CHARS = string.ascii_letters + string.digits + ".+-_"


def complete_email_autolinks(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            _complete(state, token.children)


def _complete(state: StateCore, children: list[Token]) -> None:
    for index, link in enumerate(children[:-1]):
        label = children[index + 1]
        href = str(link.attrGet("href") or "")
        # Only bare addresses: a written `mailto:` link's label starts with the scheme.
        if link.info != "auto" or href != f"mailto:{label.content}":
            continue
        moved = _take_local_part(children[:index])
        if moved:
            link.attrSet("href", state.md.normalizeLink(f"mailto:{moved}{label.content}"))
            label.content = moved + label.content


def _take_local_part(before: list[Token]) -> str:
    """Cut the characters an address may start with from the end of the text tokens right
    before a link, and return them (an emphasis leftover "_" is a token of its own)."""
    taken = ""
    for token in reversed(before):
        if token.type != "text":
            break
        kept = token.content.rstrip(LOCAL_PART_CHARS)
        taken = token.content[len(kept) :] + taken
        token.content = kept
        if kept:
            break
    return taken
