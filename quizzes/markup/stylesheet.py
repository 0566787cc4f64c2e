"""Pygments' colours for highlighted code, `static/quizzes/code.css`.

The highlighter writes classes only (the CSP forbids `style` attributes), so the colours
must come from a stylesheet that matches it: this module writes it, `make code-css` runs it
after a Pygments upgrade or a change of the style below, and a test fails when the
committed file is not what it would write. The rest of how rendered content looks (the
code block's frame and label, formulas, texts shown as written) is `content.css`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pygments.formatters import HtmlFormatter

# Light, with contrast to WCAG AA on its background since Pygments 2.11, legible on paper.
STYLE = "default"
# Only our code blocks: Pygments' own rules would otherwise restyle every `pre` on a page.
SCOPE = ".code-block .highlight"
PATH = Path(__file__).resolve().parents[2] / "static" / "quizzes" / "code.css"


def pygments_rules() -> list[str]:
    """Pygments' rules for the style, scoped to our code blocks, without those for line
    numbers (never shown) and its unscoped `pre` rule."""
    formatter = HtmlFormatter(style=STYLE)
    return formatter.get_background_style_defs(SCOPE) + formatter.get_token_style_defs(SCOPE)


def stylesheet() -> str:
    header = (
        f"/* Pygments' {STYLE!r} style for highlighted code, written by `make code-css`\n"
        "   (quizzes/markup/stylesheet.py): edit that, not this file. */\n"
    )
    return header + "\n".join(pygments_rules()) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PATH
    target.write_text(stylesheet(), encoding="utf-8")
