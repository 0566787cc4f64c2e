"""Code blocks highlighted on the server by Pygments, as classes (the CSP forbids inline
styles; `static/quizzes/code.css`, written by
`quizzes.markup.stylesheet`, holds the colours), with the language named above the code."""

from __future__ import annotations

from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

FORMATTER = HtmlFormatter(nowrap=True)


def render_fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return code_block(token.content, language)


def render_code_block(self, tokens, idx, options, env) -> str:
    return code_block(tokens[idx].content, "")


def code_block(code: str, language: str) -> str:
    lexer = _lexer(language)
    if lexer is None:
        body = escape(code)
        label = f'<div class="code-language">{escape(language)}</div>' if language else ""
    else:
        body = highlight(code, lexer, FORMATTER)
        label = f'<div class="code-language">{escape(lexer.name)}</div>'
    return (
        f'<div class="code-block">{label}<pre class="highlight"><code>{body}</code></pre></div>\n'
    )


def _lexer(language: str) -> Lexer | None:
    if not language:
        return None
    try:
        # Keep the code exactly as written: no stripped blank lines or tabs expanded.
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
