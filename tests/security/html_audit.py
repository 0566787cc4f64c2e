"""Find anything executable in an HTML page, the way a browser would parse it."""

import re
from html.parser import HTMLParser

# Elements that run code, load other documents or change how the page's URLs resolve.
# (Inline <svg> icons are fine, Django's admin uses them; what would make one dangerous,
# a script, a handler or an animated href, is caught below.)
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "style", "base", "portal",
    "template", "animate", "set", "foreignobject", "handler", "listener",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
NON_SCRIPT_TYPES = {"application/json", "application/ld+json"}


C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def _normalized_url(value: str) -> str:
    # As the URL parser does: strip leading/trailing controls and spaces, drop tabs and
    # newlines anywhere ("java\tscript:" runs; "java script:" is a harmless relative URL).
    return re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE)).lower()


class _Auditor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            if kind not in NON_SCRIPT_TYPES:
                source = attributes.get("src") or ""
                if not source:
                    self.problems.append("inline <script>")
                elif not source.startswith("/") or source.startswith("//"):
                    self.problems.append(f"<script src={source!r}> from elsewhere")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "link" and (attributes.get("rel") or "").lower() == "import":
            self.problems.append("<link rel=import>")
        if tag == "use":
            target = attributes.get("href") or attributes.get("xlink:href") or ""
            if target and not target.startswith("#"):
                self.problems.append(f"<use href={target!r}> of an outside document")
        if tag == "form":
            action = attributes.get("action") or ""
            if action and (not action.startswith("/") or action.startswith("//")):
                self.problems.append(f"<form action={action!r}> to elsewhere")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            elif name in {"style", "srcdoc"}:
                self.problems.append(f"{name}= attribute on <{tag}>")
            elif (
                name in URL_ATTRIBUTES
                and value is not None
                and _normalized_url(value).startswith(DANGEROUS_SCHEMES)
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def executable_content(html: str) -> list[str]:
    """Every script, handler, style or dangerous URL in the page; [] when inert."""
    auditor = _Auditor()
    auditor.feed(html)
    auditor.close()
    return auditor.problems
