"""Formulas to MathML on the server: readable without JavaScript (which the CSP would
block) and by screen readers.

`$$…$$` on lines of its own is mdit-py-plugins' dollarmath block; inline `$…$`, `$$…$$`,
`\\(…\\)` and `\\[…\\]` are the rules below, which find closers in linear time (the texmath
plugin's regular expressions are quadratic on a run of openers, and dollarmath's inline
rule reads the character before a text's start as its last one). Dollars follow Pandoc's
rule, which keeps prices prices: an opening `$` has no space after it, a closing `$` no
space before it and no digit after it (`$5 and $10` is text, `$1$` is a formula).

A formula latex2mathml cannot read keeps its source, shown as code, and is reported as a
warning; so does one it reads too leniently, with unbalanced braces or a command short of
its arguments.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from html import escape
from xml.etree import ElementTree

from latex2mathml.converter import convert_to_element
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin

from quizzes.markup import _problems

MAX_FORMULA_CHARS = 2_000
# MathML elements whose children are their arguments, and how many: latex2mathml builds
# them from whatever follows the command, so "\\frac{a}" was a fraction with no denominator.
ARGUMENTS = {
    "mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "munder": 2, "mover": 2, "msubsup": 3,
    "munderover": 3,
}  # fmt: skip
# A formula that defines commands is a program: one of 2,000 characters expanded to 160,000
# identifiers in 2 s. Quiz formulas do without.
DEFINITION = re.compile(
    r"\\(?:(?:re|provide)?newcommand|newenvironment|[gex]?def|let|DeclareMathOperator)(?![a-zA-Z])"
)
# latex2mathml writes symbols as character references in the text of its elements.
CHARACTER_REFERENCE = re.compile(r"&amp;(#x[0-9A-Fa-f]+;)")
BRACKETS = {"\\(": ("\\)", "math_inline_bracket"), "\\[": ("\\]", "math_inline_double")}


def math_plugin(md: MarkdownIt) -> None:
    # dollarmath's block rule; its inline rule is replaced by ours.
    md.use(dollarmath_plugin)
    md.inline.ruler.at("math_inline", _with_offset(_dollar_math))
    # Before "escape": in CommonMark `\(` is an escaped parenthesis.
    md.inline.ruler.before("escape", "math_bracket", _with_offset(_bracket_math))


def _with_offset(rule):
    """The inline rule, with each formula it finds knowing how many lines into its paragraph
    it starts (`meta["offset"]`), for the line of a warning: the tokens before it cannot
    tell, as a code span's line breaks have become spaces."""

    def with_offset(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        for token in state.tokens[count:]:
            token.meta["offset"] = _line_breaks_before(state, start)
        return True

    return with_offset


def _line_breaks_before(state: StateInline, pos: int) -> int:
    # Counted on from the last formula of this text, so that many formulas stay linear.
    counted = state.env.setdefault("_line_breaks", {})
    last_pos, breaks = counted.get(state.src, (0, 0))
    if pos < last_pos:
        last_pos, breaks = 0, 0
    breaks += state.src.count("\n", last_pos, pos)
    counted[state.src] = (pos, breaks)
    return breaks


def _dollar_closers(state: StateInline, double: bool) -> list[int]:
    """Positions of the `$` (or `$$`) in this text that may close a formula, found once per
    text: not after a space, not escaped, not before a digit."""
    cache = state.env.setdefault("_dollar_closers", {})
    src = state.src
    if (src, double) not in cache:
        width = 2 if double else 1
        cache[src, double] = [
            i
            for i in range(1, len(src))
            if src.startswith("$$" if double else "$", i)
            and not src[i - 1].isspace()
            and not _escaped(src, i)
            and not (i + width < len(src) and src[i + width].isdigit())
        ]
    return cache[src, double]


def _escaped(src: str, i: int) -> bool:
    backslashes = 0
    while i - backslashes - 1 >= 0 and src[i - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _dollar_math(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "$" or _escaped(src, pos):
        return False
    double = src.startswith("$$", pos)
    start = pos + (2 if double else 1)
    if start >= len(src) or src[start].isspace() or src[start] == "$":
        return False
    closers = _dollar_closers(state, double)
    index = bisect_left(closers, start + 1)
    if index >= len(closers):
        return False
    end = closers[index]
    if not silent:
        token = state.push("math_inline_double" if double else "math_inline", "math", 0)
        token.content = src[start:end]
        token.markup = "$$" if double else "$"
    state.pos = end + (2 if double else 1)
    return True


def _bracket_math(state: StateInline, silent: bool) -> bool:
    opener = state.src[state.pos : state.pos + 2]
    if opener not in BRACKETS:
        return False
    closer, kind = BRACKETS[opener]
    if opener == "\\[" and not _starts_line(state.src, state.pos):
        return False
    start = state.pos + 2
    # The last closer in this text, found once: a run of openers without one stays linear.
    last = state.env.setdefault("_last_closer", {}).setdefault(
        (state.src, closer), state.src.rfind(closer)
    )
    end = state.src.find(closer, start, last + len(closer)) if last >= start else -1
    if end < 0 or not state.src[start:end].strip():
        return False
    if opener == "\\[" and not _ends_line(state.src, end + 2):
        return False
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = state.src[start:end]
        token.markup = opener
    state.pos = end + 2
    return True


def _starts_line(src: str, pos: int) -> bool:
    """`\\[` opens display math only at the start of a line, and its `\\]` must end one
    (`_ends_line`): elsewhere it is what CommonMark makes it, an escaped bracket, and
    "\\[projectname\\]/settings.py" is a path, not a formula."""
    while pos > 0 and src[pos - 1] in " \t":
        pos -= 1
    return pos == 0 or src[pos - 1] == "\n"


def _ends_line(src: str, pos: int) -> bool:
    line_end = src.find("\n", pos)
    return not src[pos : len(src) if line_end < 0 else line_end].strip()


def render_math_inline(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    display = token.type == "math_inline_double"
    return _formula(token, display, env) or _source_code(token, env)


def render_math_block(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    mathml = _formula(token, True, env)
    if mathml:
        return f'<div class="math-block">{mathml}</div>\n'
    source = escape(f"$$\n{token.content.strip()}\n$$")
    return f'<pre class="math-error"><code>{source}</code></pre>\n'


def _formula(token, display: bool, env) -> str | None:
    """The formula as MathML, or None (with a warning) when it cannot be read."""
    latex = token.content.strip()
    line = token.meta.get("line") or (token.map[0] + 1 if token.map else None)
    if len(latex) > MAX_FORMULA_CHARS:
        _problems.warn(env, "math_too_long", line, limit=MAX_FORMULA_CHARS)
        return None
    try:
        mathml = None if DEFINITION.search(latex) else _mathml(latex, display)
    except Exception:  # latex2mathml raises many exception types, RecursionError included
        mathml = None
    if mathml is None or not _readable(latex, mathml):
        _problems.warn(env, "math_invalid", line, formula=_excerpt(latex))
        return None
    return mathml


def _mathml(latex: str, display: bool) -> str:
    """latex2mathml's `convert` unescapes all of its output to turn the references back
    into characters, the text of `\\text{}` included, so "\\text{a<b}" came out as a tag.
    Serialized here, only the references are unescaped."""
    element = convert_to_element(latex, display="block" if display else "inline")
    return CHARACTER_REFERENCE.sub(r"&\1", ElementTree.tostring(element, encoding="unicode"))


def _readable(latex: str, mathml: str) -> bool:
    """Whether latex2mathml understood the formula rather than guessed."""
    # It writes a command it does not know as an identifier named after it.
    if "<mi>\\" in mathml or not _balanced(latex):
        return False
    try:
        root = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return False
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name in ARGUMENTS and len(element) != ARGUMENTS[name]:
            return False
    return True


def _balanced(latex: str) -> bool:
    """Braces open and close in pairs; `\\{` and `\\}` are the characters, not braces."""
    depth = 0
    escaped = False
    for char in latex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _source_code(token, env) -> str:
    delimiters = {"\\(": "\\)", "\\[": "\\]"}
    opener = token.markup or "$"
    closer = delimiters.get(opener, opener)
    return f'<code class="math-error">{escape(opener + token.content + closer)}</code>'


def _excerpt(latex: str, length: int = 60) -> str:
    return latex if len(latex) <= length else latex[: length - 1] + "…"
