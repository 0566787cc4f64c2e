"""Formulas to MathML on the server: readable without JavaScript (which the CSP would
block) and by screen readers.

`$$…$$` on lines of its own is mdit-py-plugins' dollarmath block; inline `$…$`, `$$…$$`,
`\\(…\\)` and `\\[…\\]` are the rules below, which find closers in linear time (the
texmath plugin's regular expressions are quadratic on a run of openers, and dollarmath's
inline rule reads the character before the text's start as its last one). Dollars follow
Pandoc's rule, which keeps prices prices: an opening `$` has no space after it, a closing
`$` no space before it and no digit after it (`$5 and $10` is text, `$1$` is a formula).
A formula latex2mathml cannot read keeps its source, shown as code, and is reported as a
warning.
"""

from __future__ import annotations

from bisect import bisect_left
from html import escape

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from quizzes.markup import _problems

MAX_FORMULA_CHARS = 2_000
BRACKETS = {"\\(": ("\\)", "math_inline_bracket"), "\\[": ("\\]", "math_inline_double")}


def bracket_math_plugin(md: MarkdownIt) -> None:
    # Before "escape": in CommonMark `\(` is an escaped parenthesis.
    md.inline.ruler.before("escape", "math_bracket", _bracket_math)
    md.inline.ruler.before("escape", "math_dollar", _dollar_math)


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
    if start >= len(src) or src[start].isspace():
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
    start = state.pos + 2
    # The last closer in this text, found once: a run of openers without one stays linear.
    last = state.env.setdefault("_last_closer", {}).setdefault(
        (state.src, closer), state.src.rfind(closer)
    )
    end = state.src.find(closer, start, last + len(closer)) if last >= start else -1
    if end < 0 or not state.src[start:end].strip():
        return False
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = state.src[start:end]
        token.markup = opener
    state.pos = end + 2
    return True


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
        mathml = convert(latex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many exception types, RecursionError included
        mathml = None
    # latex2mathml writes a command it does not know as an identifier named after it, and
    # reads past an unclosed brace.
    if mathml is None or "<mi>\\" in mathml or not _balanced(latex):
        _problems.warn(env, "math_invalid", line, formula=_excerpt(latex))
        return None
    return mathml


def _balanced(latex: str) -> bool:
    depth = 0
    for char in latex.replace("\\\\", "").replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
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
