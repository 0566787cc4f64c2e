"""The markdown-it-py parsers, with the extensions and output rules authors' texts need.

One pair of parsers per thread: the parser objects keep per-call state in places, and the
admin renders from several threads of one worker.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from quizzes.markup._autolink import complete_email_autolinks
from quizzes.markup._code import render_code_block, render_fence
from quizzes.markup._math import math_plugin, render_math_block, render_math_inline

# Levels beyond the limit (`MAX_NESTING`, 16) are still parsed this far, so that the limit
# can be reported with its line instead of markdown-it silently skipping the rest of the
# text. No further: markdown-it also bounds inline nesting by it, and a run of 5,000 "!["
# looks that deep ahead from each one (1 s at 64 levels, a quarter of that at 20).
PARSE_NESTING = 20
ALIGN_CLASSES = {"left": "text-start", "center": "text-center", "right": "text-end"}

_local = threading.local()


def block_parser() -> MarkdownIt:
    if not hasattr(_local, "block"):
        _local.block = _build()
    return _local.block


def _build() -> MarkdownIt:
    # GitHub's strikethrough: `~one~` as well as `~~two~~`, and a run of three or more is text.
    md = MarkdownIt("commonmark", {"maxNesting": PARSE_NESTING, "strikethrough_single_tilde": True})
    md.enable(["table", "strikethrough"])
    md.use(gfm_autolink_plugin)
    md.core.ruler.push("complete_email_autolinks", complete_email_autolinks)
    md.use(math_plugin)
    md.core.ruler.push("table_alignment_classes", _alignment_classes)
    md.core.ruler.push("source_lines", _source_lines)
    md.add_render_rule("fence", render_fence)
    md.add_render_rule("code_block", render_code_block)
    for name in ("math_inline", "math_inline_double", "math_inline_bracket"):
        md.add_render_rule(name, render_math_inline)
    for name in ("math_block", "math_block_label", "math_block_bracket"):
        md.add_render_rule(name, render_math_block)
    return md


def _alignment_classes(state) -> None:
    """Table alignment as classes: the page's CSP forbids the `style` attributes markdown-it
    writes."""
    for token in state.tokens:
        if token.type == "inline":
            continue
        if token.type in ("th_open", "td_open") and (style := token.attrGet("style")):
            token.attrs.pop("style")
            align = str(style).removeprefix("text-align:")
            if align in ALIGN_CLASSES:
                token.attrSet("class", ALIGN_CLASSES[align])


def _source_lines(state) -> None:
    """Give every formula in a paragraph (or a heading, a table cell) its line in the text,
    from 1, for a warning about it."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        first = token.map[0] + 1 if token.map else 1
        for child in token.children:
            if "offset" in child.meta:
                child.meta["line"] = first + child.meta["offset"]


def parse(text: str, env: dict, *, inline: bool) -> list[Token]:
    """The text's tokens; `inline` for an option's label, which has no paragraph.

    A one-line option is inline markdown only: answers such as "-", "# comment" or "1." are
    meant as written, not as an empty list or a heading. A longer one (code in a fenced block
    under its letter, say) keeps its blocks, as GitHub shows it, with a sole paragraph
    unwrapped.
    """
    md = block_parser()
    if inline and "\n" not in text.strip():
        return md.parseInline(text, env)
    tokens = md.parse(text, env)
    kinds = [token.type for token in tokens]
    if inline and kinds == ["paragraph_open", "inline", "paragraph_close"]:
        return tokens[1:2]
    return tokens


def nesting_too_deep(tokens: Sequence[Token], limit: int) -> int | None:
    """The line where the text first nests deeper than `limit`, if it does."""
    for token in tokens:
        if token.level > limit:
            return token.map[0] + 1 if token.map else 1
    return None
