"""Markdown to sanitized HTML: the only place in the project that marks HTML safe.

Python-Markdown passes raw HTML through untouched, so every rendering goes through nh3
(the Ammonia sanitizer) with an explicit allow-list. Question content is written by
authors but may come from imported files of unknown origin, so it is treated as
untrusted.
"""

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
        "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
# No javascript:, data: or vbscript: URLs; relative URLs stay allowed.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]


def sanitize_html(html: str) -> str:
    """Clean HTML with the project's allow-list. Idempotent."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitize_html(html)


def render_markdown(text: str | None) -> SafeString:
    """Render author markdown to HTML that is safe to embed in a page."""
    if not text:
        return mark_safe("")
    # Cached: the same question texts are rendered for every candidate.
    return mark_safe(_render(text))


def render_inline_markdown(text: str | None) -> SafeString:
    """Render a short text (an option label) without a wrapping paragraph."""
    html = str(render_markdown(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)
