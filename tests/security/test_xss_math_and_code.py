"""The XSS corpus through formulas and code blocks: MathML widens the allow-list, and the
highlighter writes HTML of its own, so neither may become a way around the sanitizer.

Every payload of `test_xss.PAYLOADS` is rendered as a formula with each delimiter and as
code with a known and an unknown language, and must come out inert (the audit that file
uses), with only allow-listed elements, attributes and classes, without the MathML that
could link or restyle (`href`, `xlink:href`, `style`, `mathcolor`, `mathbackground`,
`annotation-xml`), and unchanged by a second pass of the sanitizer.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings

from quizzes.markup._sanitize import ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, ALLOWED_TAGS
from quizzes.rendering import render_inline_markdown, render_markdown, sanitize_html
from tests.security.html_audit import executable_content
from tests.security.test_xss import PAYLOADS, markdown_documents

WRAPPERS = {
    "dollar": "${}$",
    "double dollar": "$${}$$",
    "dollar block": "$$\n{}\n$$",
    "parentheses": "\\({}\\)",
    "brackets": "\\[{}\\]",
    "python code": "```python\n{}\n```",
    "unknown language": "```nosuchlanguage\n{}\n```",
    "payload as language": "```{}\ncode\n```",
}
# LaTeX that latex2mathml turns into links, colours, styles or raw text.
MATH_PAYLOADS = [
    "\\href{javascript:alert(1)}{x}",
    "\\href{https://evil.example}{x}",
    "\\color{red}{x} \\colorbox{red}{x} \\fcolorbox{red}{blue}{x}",
    "\\style{color:red}{x} \\class{x}{y} \\cssId{x}{y}",
    "\\text{<script>alert(1)</script>} \\mathrm{<img src=x onerror=alert(1)>}",
    "\\operatorname{<svg onload=alert(1)>} \\mbox{<iframe src=x>}",
    "\\begin{array}{c}<style>*{}</style>\\end{array}",
    "\\unicode{x3C}script\\unicode{x3E}",
    "\\url{javascript:alert(1)} \\toggle{a}{b}\\endtoggle",
    "x^{<a href=javascript:alert(1)>y</a>}",
]
# Only the sanitizer adds this one, to links.
ADDED_ATTRIBUTES = {"a": {"rel"}}
# Whatever the allow-list says: nothing may link but a link, or restyle anything.
RESTYLING = {"xlink:href", "style", "mathcolor", "mathbackground"}


class _Inventory(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, _ in attrs:
            if name in RESTYLING or (name == "href" and tag != "a"):
                self.problems.append(f"<{tag} {name}=> links or restyles")
        if tag in ("annotation", "annotation-xml"):
            self.problems.append(f"<{tag}> may hold HTML")
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> is not allowed")
            return
        allowed = (
            ALLOWED_ATTRIBUTES["*"]
            | ALLOWED_ATTRIBUTES.get(tag, set())
            | ADDED_ATTRIBUTES.get(tag, set())
        )
        for name, value in attrs:
            if name == "class":
                extra = set((value or "").split()) - ALLOWED_CLASSES.get(tag, set())
                if extra:
                    self.problems.append(f"<{tag} class={sorted(extra)}> is not allowed")
            elif name not in allowed:
                self.problems.append(f"<{tag} {name}=> is not allowed")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def outside_the_allow_list(html: str) -> list[str]:
    inventory = _Inventory()
    inventory.feed(html)
    inventory.close()
    return inventory.problems


def assert_safe(html: str) -> None:
    assert executable_content(html) == []
    assert outside_the_allow_list(html) == []
    assert sanitize_html(html) == html


@pytest.mark.parametrize("wrapper", WRAPPERS.values(), ids=WRAPPERS.keys())
@pytest.mark.parametrize("payload", PAYLOADS + MATH_PAYLOADS)
def test_payloads_in_formulas_and_code_render_inert_and_allow_listed(payload, wrapper):
    text = wrapper.replace("{}", payload)
    for rendered in (render_markdown(text), render_inline_markdown(text)):
        assert 'class="unrendered"' not in rendered
        assert_safe(str(rendered))
    # The wrapper took: a formula (or its source, kept) or a code block. An inline formula
    # does not span lines, so a payload of several lines stays text there.
    html = str(render_markdown(text))
    if wrapper.startswith("```"):
        assert '<div class="code-block">' in html
    elif "\n" not in payload or "\n" in wrapper:
        assert "<math" in html or 'class="math-error"' in html


@pytest.mark.parametrize("payload", MATH_PAYLOADS[:3])
def test_latex_links_and_colours_are_dropped_but_the_formula_stays(payload):
    html = str(render_markdown(f"${payload}$"))
    assert "<math" in html
    assert "evil" not in html and "javascript" not in html and "red" not in html


def test_html_written_in_a_formulas_text_is_text():
    html = str(render_markdown("$\\text{<b>bold</b> & <script>alert(1)</script>}$"))
    assert (
        "<mtext>&lt;b&gt;bold&lt;/b&gt;&nbsp;&amp;&nbsp;&lt;script&gt;alert(1)&lt;/script&gt;</mtext>"
        in html
    )


@pytest.mark.parametrize(
    "text",
    ["$x^2$ and $$\\frac{a}{b}$$", "\\(\\sqrt[3]{x}\\)\n\\[\\sum_{i=1}^n i\\]", "$\\frac{a$"],
)
def test_sanitizing_formulas_twice_changes_nothing(text):
    html = str(render_markdown(text))
    assert "<math" in html or "math-error" in html
    assert sanitize_html(html) == html
    assert_safe(html)


def test_the_inventory_sees_what_it_must():
    # Without this, an inventory that finds nothing would make every test above pass.
    for html in [
        "<svg></svg>",
        '<math><mrow href="x"></mrow></math>',
        '<mi mathcolor="red">x</mi>',
        '<span class="author-class">x</span>',
        '<td align="left">x</td>',
        "<annotation-xml>x</annotation-xml>",
        '<math><mrow xlink:href="x"></mrow></math>',
        '<code style="color:red">x</code>',
    ]:
        assert outside_the_allow_list(html), html
    assert outside_the_allow_list('<a href="/x" rel="nofollow">x</a><span class="k">x</span>') == []


@settings(max_examples=200, deadline=None)
@given(markdown_documents)
def test_generated_markdown_in_formulas_and_code_is_inert_and_allow_listed(document):
    for wrapper in WRAPPERS.values():
        text = wrapper.replace("{}", document)
        for rendered in (render_markdown(text), render_inline_markdown(text)):
            assert_safe(str(rendered))
