"""The HTML allow-list: what author content may contain after rendering.

Authors' files may come from anywhere, so raw HTML in them is untrusted: nh3 (Ammonia)
keeps only these tags, attributes, classes and URL schemes. MathML is allowed as far as
the math renderer needs it, without `href` or colours; classes are the highlighter's and
ours, never an author's own.
"""

from __future__ import annotations

import nh3
from pygments.token import STANDARD_TYPES

HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
MATHML_TAGS = {
    "math", "menclose", "mfrac", "mi", "mn", "mo", "mover", "mpadded", "mphantom", "mroot",
    "mrow", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext",
    "mtr", "munder", "munderover",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "accent", "columnalign", "columnlines", "columnspacing", "depth", "displaystyle",
    "fence", "form", "height", "largeop", "linebreak", "linethickness", "lspace",
    "mathvariant", "maxsize", "minsize", "movablelimits", "notation", "rowlines",
    "rowspacing", "rspace", "scriptlevel", "separator", "stretchy", "width",
}  # fmt: skip
ALLOWED_TAGS = frozenset(HTML_TAGS | MATHML_TAGS)
ALLOWED_ATTRIBUTES = {
    # On every element: nh3 (Ammonia) allows these unless told otherwise, so they are
    # written here for the allow-list to be complete where it is read.
    "*": {"lang", "title"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "math": {"display"},
    **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS - {"math"}},
}
ALLOWED_CLASSES = {
    # Pygments' short token classes ("k", "nf", "s2", ...).
    "span": {name for name in STANDARD_TYPES.values() if name},
    "div": {"code-block", "code-language", "math-block"},
    "pre": {"highlight", "math-error"},
    "code": {"math-error"},
    "th": {"text-start", "text-center", "text-end"},
    "td": {"text-start", "text-center", "text-end"},
}
# No javascript:, data: or vbscript: URLs; relative URLs stay allowed.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_html(html: str) -> str:
    """Clean HTML with the project's allow-list. Idempotent.

    Ammonia's output of some malformed nesting (an unclosed `<object>` around a paragraph)
    parses differently when cleaned again; cleaning until nothing changes makes it stable.
    """
    cleaned = _clean(html)
    for _ in range(3):
        again = _clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


# Built once: setting the allow-list up costs far more than cleaning a typical text.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def _clean(html: str) -> str:
    return _CLEANER.clean(html)
