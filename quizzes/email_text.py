"""Plain-text email bodies from templates.

A text/plain part is not HTML: escaping it would show a candidate called "Tom & Jerry" as
"Tom &amp; Jerry". The HTML part of the same email is rendered as usual, escaped.
"""

from __future__ import annotations

from django.template import Context
from django.template.loader import get_template


def render_text(template_name: str, context: dict) -> str:
    """Render a .txt template without HTML escaping (for text/plain email parts only)."""
    template = get_template(template_name)
    return template.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]
