"""Author markdown to sanitized HTML: CommonMark with GitHub's tables, strikethrough and
autolinks, server-side math (MathML) and highlighted code (Pygments classes).

Pure Python: no Django. It renders once, when content is written; candidate and review
pages read the stored HTML. Every problem is a `Problem` with a code and parameters, which
the Django layer (`quizzes.rendering`) words in the reader's language.

Bounded cost: the parser (markdown-it-py) is linear by design, but some of its plugins
are not, so a text is refused when it is longer than `MAX_TEXT_CHARS`, nests deeper than
`MAX_NESTING`, or still takes longer than `TIME_LIMIT_SECONDS` to render.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from quizzes.markup._math import MAX_FORMULA_CHARS
from quizzes.markup._parser import block_parser, nesting_too_deep, parse
from quizzes.markup._problems import Problem
from quizzes.markup._sanitize import sanitize_html

__all__ = [
    "MAX_FORMULA_CHARS",
    "MAX_NESTING",
    "MAX_TEXT_CHARS",
    "TIME_LIMIT_SECONDS",
    "Problem",
    "Refused",
    "Rendered",
    "render",
    "sanitize_html",
]

# Ten times the longest text in the fixture and the shared corpus; the worst inputs at this size
# take well under a second (see `make bench`).
MAX_TEXT_CHARS = 10_000
# Block nesting (lists in lists, quotes in lists, ...) in parser levels: a list and its item
# are two levels and the item's text one more, so this allows seven nested lists, or
# fifteen nested quotes.
MAX_NESTING = 16
TIME_LIMIT_SECONDS = 2.0


class Refused(Exception):
    """The text is not rendered: it would cost too much."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class Rendered:
    html: str
    # Rendered anyway, with the source kept where the problem is (an invalid formula).
    warnings: tuple[Problem, ...] = ()


def render(text: str, *, inline: bool = False) -> Rendered:
    """Render one author text; `inline` for an option, whose label has no paragraph."""
    return _render(text, inline)


# An import validates every text and then stores its HTML: the second call is free. Sized
# for the largest import measured (the shared corpus, about 8,000 texts, a few MB).
@lru_cache(maxsize=16384)
def _render(text: str, inline: bool) -> Rendered:
    if not text:
        return Rendered("")
    if len(text) > MAX_TEXT_CHARS:
        line = text.count("\n", 0, MAX_TEXT_CHARS) + 1
        raise Refused(Problem("too_long", line, {"limit": MAX_TEXT_CHARS, "length": len(text)}))
    started = time.perf_counter()
    env: dict = {"warnings": []}
    tokens = parse(text, env, inline=inline)
    deep = nesting_too_deep(tokens, MAX_NESTING)
    if deep is not None:
        raise Refused(Problem("too_deep", deep, {"limit": MAX_NESTING}))
    md = block_parser()
    html = sanitize_html(md.renderer.render(tokens, md.options, env))
    elapsed = time.perf_counter() - started
    if elapsed > TIME_LIMIT_SECONDS:
        raise Refused(
            Problem("too_slow", None, {"limit": TIME_LIMIT_SECONDS, "seconds": round(elapsed, 1)})
        )
    return Rendered(html, tuple(env["warnings"]))
