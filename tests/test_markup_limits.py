"""Pathological texts render within the bound or are refused, with the line to look at.

Each case is timed only as a sanity bound, far above what it takes: how fast rendering is
belongs in benchmarks; here it matters that nothing runs away or recurses to death.
"""

from __future__ import annotations

import html
import re
import time

import pytest

from quizzes import markup
from quizzes.markup import MAX_NESTING, MAX_TEXT_CHARS, TIME_LIMIT_SECONDS, Problem, Refused

SANITY_SECONDS = 5.0
EMPTY_CODE_BLOCK = '<div class="code-block"><pre class="highlight"><code></code></pre></div>\n'


def outcome(text: str, *, inline: bool = False) -> markup.Rendered | Problem:
    """What rendering gives, a refusal included, checked to come within the sanity bound."""
    started = time.perf_counter()
    try:
        result: markup.Rendered | Problem = markup.render(text, inline=inline)
    except Refused as refused:
        result = refused.problem
    assert time.perf_counter() - started < SANITY_SECONDS
    return result


def visible(rendered: markup.Rendered | Problem) -> str:
    assert isinstance(rendered, markup.Rendered), rendered
    return html.unescape(re.sub(r"<[^>]+>|\n", "", rendered.html))


# A run of each character markdown gives a meaning to, as long as a text may be, and what
# a reader sees of it: the characters themselves, backslash escapes resolved.
RUNS = {
    "[": "[", "![": "![", "]": "]", "(": "(", "`": "`", "*": "*", "_": "_", "~": "~",
    "<": "<", "&": "&", "|": "|", "@": "@", "#": "#", "$": "$", ">": ">", "-": "-",
    "\\(": "(", "\\[": "[", "\\\\": "\\",
}  # fmt: skip
# As a text's only line, some runs are blocks rather than text.
AS_BLOCKS = {
    "`": EMPTY_CODE_BLOCK,  # an opening fence, never closed
    "~": EMPTY_CODE_BLOCK,
    "*": "<hr>\n",
    "_": "<hr>\n",
    "-": "<hr>\n",
}


def run_of(characters: str) -> str:
    return characters * (MAX_TEXT_CHARS // len(characters))


@pytest.mark.parametrize("characters", RUNS)
def test_an_option_of_one_long_run_shows_it_as_written(characters):
    text = run_of(characters)
    assert visible(outcome(text, inline=True)) == RUNS[characters] * (len(text) // len(characters))


@pytest.mark.parametrize("characters", sorted(set(RUNS) - set(AS_BLOCKS) - {">", "$"}))
def test_a_text_of_one_long_run_shows_it_as_written(characters):
    text = run_of(characters)
    assert visible(outcome(text)) == RUNS[characters] * (len(text) // len(characters))


@pytest.mark.parametrize("characters", AS_BLOCKS)
def test_a_text_of_one_long_run_of_a_block_marker_is_that_block(characters):
    rendered = outcome(run_of(characters))
    assert isinstance(rendered, markup.Rendered) and rendered.html == AS_BLOCKS[characters]


def test_a_text_of_one_long_run_of_dollars_is_a_formula_too_long_to_read():
    rendered = outcome(run_of("$"))
    assert isinstance(rendered, markup.Rendered)
    assert rendered.html.startswith('<pre class="math-error"><code>$$\n$$$')
    assert visible(rendered) == run_of("$")
    assert rendered.warnings == (Problem("math_too_long", 1, {"limit": 2000}),)


def test_a_text_of_one_long_run_of_quote_markers_is_refused_as_too_deep():
    assert outcome(run_of(">")) == Problem("too_deep", 1, {"limit": MAX_NESTING})


@pytest.mark.parametrize(
    "text",
    [
        "[a](" * 2500,
        "a*" * 5000,
        "*a" * 5000,
        "a_" * 5000,
        "*_" * 5000,
        "$a" * 5000,
        "a~" * 5000,
        "`a" * 5000,
        "a_b@" * 2500,
        "www." * 2500,
        "http://" * 1428,
        "www.example.com" + ")" * 9985,
        "<a " * 3333,
        "&#" * 5000,
        "\\[\n" * 3333,
        "\\[a\\]x\n" * 1428,
        "".join("`" * length + "x" for length in range(1, 140)),
        "|a|\n|-|\n" + "|x|\n" * 2498,
        "[a]: /url\n" * 999 + "[a]",
        "$\\frac{a$ " * 1000,
        "$" + "{" * 998 + "x" + "}" * 998 + "$ ",
    ],
    ids=lambda text: repr(text[:12]),
)
@pytest.mark.parametrize("inline", [False, True], ids=["text", "option"])
def test_mixed_runs_at_the_size_limit_render(text, inline):
    assert len(text) <= MAX_TEXT_CHARS
    rendered = outcome(text, inline=inline)
    assert isinstance(rendered, markup.Rendered) and rendered.html


def test_formulas_that_would_expand_commands_a_hundredfold_are_not_read():
    # Each would be 160,000 identifiers, 2 s of latex2mathml.
    formula = "$\\newcommand{\\a}{" + "x" * 1700 + "}" + "\\a" * 95 + "$"
    rendered = outcome("\n\n".join([formula] * 5))
    assert isinstance(rendered, markup.Rendered)
    assert [problem.code for problem in rendered.warnings] == ["math_invalid"] * 5


# --- nesting ----------------------------------------------------------------------------------


def nested_lists(levels: int, *, first_line: str = "") -> str:
    return first_line + "".join("  " * level + "- x\n" for level in range(levels))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("- " * 990 + "x", 1),
        ("1. " * 990 + "x", 1),
        (">" * 990 + " x", 1),
        ("> - " * 495 + "x", 1),
        (nested_lists(60), 8),
        (nested_lists(60, first_line="Intro\n\n"), 10),
        ("Intro\n\n" + "> " * 20 + "deep\n", 3),
    ],
    ids=[
        "990 lists",
        "990 ordered lists",
        "990 quotes",
        "lists in quotes",
        "60 lists",
        "later",
        "quotes",
    ],
)
def test_too_deep_nesting_is_refused_with_the_line_where_it_goes_too_deep(text, line):
    assert len(text) <= MAX_TEXT_CHARS
    assert outcome(text) == Problem("too_deep", line, {"limit": MAX_NESTING})
    if "\n" in text.strip():
        assert outcome(text, inline=True) == Problem("too_deep", line, {"limit": MAX_NESTING})


def test_the_bug_reports_990_nested_list_levels_are_refused_for_their_length():
    # As the report wrote them, indented: the text is far longer than any text may be.
    text = nested_lists(990)
    line = text.count("\n", 0, MAX_TEXT_CHARS) + 1
    limits = {"limit": MAX_TEXT_CHARS, "length": len(text)}
    assert outcome(text) == Problem("too_long", line, limits)


def test_nesting_up_to_the_limit_renders():
    lists = outcome(nested_lists(7))
    assert isinstance(lists, markup.Rendered) and lists.html.count("<ul>") == 7
    quotes = outcome(">" * 15 + " deep")
    assert isinstance(quotes, markup.Rendered) and quotes.html.count("<blockquote>") == 15
    assert outcome(nested_lists(8)) == Problem("too_deep", 8, {"limit": MAX_NESTING})
    assert outcome(">" * 16 + " deep") == Problem("too_deep", 1, {"limit": MAX_NESTING})


def test_a_one_line_option_that_looks_deeply_nested_is_text():
    assert visible(outcome("- " * 990 + "x", inline=True)) == "- " * 990 + "x"


# --- size and time ----------------------------------------------------------------------------


@pytest.mark.parametrize("inline", [False, True], ids=["text", "option"])
def test_a_text_one_character_too_long_is_refused_with_the_line_the_limit_falls_on(inline):
    text = "a\n" * (MAX_TEXT_CHARS // 2) + "b"
    assert len(text) == MAX_TEXT_CHARS + 1
    expected = Problem(
        "too_long", MAX_TEXT_CHARS // 2 + 1, {"limit": MAX_TEXT_CHARS, "length": len(text)}
    )
    assert outcome(text, inline=inline) == expected
    assert visible(outcome(text[:-1], inline=inline)) == "a" * (MAX_TEXT_CHARS // 2)


def test_a_text_that_renders_too_slowly_is_refused(monkeypatch):
    clock = iter([100.0, 100.0 + TIME_LIMIT_SECONDS + 0.5])
    monkeypatch.setattr(markup.time, "perf_counter", lambda: next(clock))
    with pytest.raises(Refused) as refused:
        markup.render("*fine*, but the machine is slow")
    seconds = round(TIME_LIMIT_SECONDS + 0.5, 1)
    assert refused.value.problem == Problem(
        "too_slow", None, {"limit": TIME_LIMIT_SECONDS, "seconds": seconds}
    )
