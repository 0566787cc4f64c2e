"""Author markdown as HTML in pages: the only place in the project that marks HTML safe.

`quizzes.markup` renders and sanitizes (nh3, an explicit allow-list); this module words its
problems in the reader's language, validates texts where authors write them, and marks
HTML safe. Candidate and review pages only ever mark *stored* HTML safe: it was rendered
and sanitized when the content was written, so they never run the renderer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from quizzes import markup
from quizzes.markup import Problem, Refused, sanitize_html

__all__ = [
    "preview_markdown",
    "problem_message",
    "render_for_storage",
    "render_inline_markdown",
    "render_markdown",
    "rendering_problems",
    "sanitize_html",
    "stored_html",
    "validate_inline_markdown",
    "validate_markdown",
]


def problem_message(problem: Problem) -> str:
    """A rendering problem in words, with its line when it has one."""
    params = problem.params
    if problem.code == "too_long":
        limit = int(str(params["limit"]))
        message = ngettext(
            "The text is %(length)s characters long; at most %(limit)s character is allowed.",
            "The text is %(length)s characters long; at most %(limit)s characters are allowed.",
            limit,
        ) % {"length": params["length"], "limit": limit}
    elif problem.code == "too_deep":
        message = gettext(
            "Lists and quotes are nested too deeply (more than %(limit)s levels)."
        ) % {"limit": params["limit"]}
    elif problem.code == "too_slow":
        message = gettext(
            "The text took %(seconds)s s to render; at most %(limit)s s is allowed. "
            "Simplify its markup or split it."
        ) % {"seconds": params["seconds"], "limit": params["limit"]}
    elif problem.code == "math_invalid":
        message = gettext("This formula could not be read and is shown as source: %(formula)s") % {
            "formula": params["formula"]
        }
    elif problem.code == "math_too_long":
        message = gettext(
            "A formula is longer than %(limit)s characters and is shown as source."
        ) % {"limit": params["limit"]}
    else:
        raise ValueError(f"unknown rendering problem {problem.code!r}")
    if problem.line is None:
        return message
    return gettext("Line %(line)s: %(message)s") % {"line": problem.line, "message": message}


def _fallback(text: str) -> str:
    """A text that cannot be rendered, shown as written rather than not at all."""
    return f'<pre class="unrendered">{escape(text)}</pre>'


def render_for_storage(text: str | None, *, inline: bool = False) -> str:
    """The HTML to store with a text. Never raises: validation refuses bad texts where
    authors write them, and a text that slipped past (older data) is kept as source."""
    try:
        return markup.render(text or "", inline=inline).html
    except Refused:
        return _fallback(text or "")


def render_markdown(text: str | None) -> SafeString:
    """Render author markdown for an author's preview (the renderer runs on each call)."""
    return mark_safe(render_for_storage(text))


def render_inline_markdown(text: str | None) -> SafeString:
    """Render a short text (an option label) without a wrapping paragraph."""
    return mark_safe(render_for_storage(text, inline=True))


def stored_html(html: str | None) -> SafeString:
    """HTML that `render_for_storage` produced when the content was written."""
    return mark_safe(html or "")


def rendering_problems(text: str | None, *, inline: bool = False) -> tuple[list[str], list[str]]:
    """Errors (the text is refused) and warnings (it renders, with source kept) in words."""
    try:
        rendered = markup.render(text or "", inline=inline)
    except Refused as refused:
        return [problem_message(refused.problem)], []
    return [], [problem_message(problem) for problem in rendered.warnings]


def preview_markdown(
    text: str | None, *, inline: bool = False
) -> tuple[SafeString, list[str], list[str]]:
    """A live preview: the HTML a save would store, with its errors and warnings in words.

    One render for all three, since each may take up to markup.TIME_LIMIT_SECONDS. A text
    the renderer refuses has no HTML: the form would refuse it too."""
    try:
        rendered = markup.render(text or "", inline=inline)
    except Refused as refused:
        return mark_safe(""), [problem_message(refused.problem)], []
    warnings = [problem_message(problem) for problem in rendered.warnings]
    return mark_safe(rendered.html), [], warnings


def validate_markdown(text: str | None, *, inline: bool = False) -> None:
    """Refuse a text that would cost too much to render (a model field validator)."""
    errors, _ = rendering_problems(text, inline=inline)
    if errors:
        raise ValidationError(errors, code="markdown")


def validate_inline_markdown(text: str | None) -> None:
    validate_markdown(text, inline=True)
