"""Formulas become MathML on the server; what cannot be read keeps its source and warns."""

from __future__ import annotations

import pytest

from quizzes.markup import Problem, render

INVALID = ["\\frac{a", "\\frac{a}", "\\unknowncmd{x}", "a}", "x^", "\\begin{matrix}a"]


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("Energy: $E = mc^2$.", "inline"),
        ("Energy: \\(E = mc^2\\).", "inline"),
        ("Energy: $$E = mc^2$$", "block"),
        ("Energy:\n\\[E = mc^2\\]", "block"),
    ],
)
def test_each_delimiter_gives_mathml(text, display):
    rendered = render(text)
    assert f'<math display="{display}">' in rendered.html
    assert "<mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup>" in rendered.html
    assert rendered.html.startswith("<p>Energy:")
    assert "mc^2" not in rendered.html
    assert rendered.warnings == ()


def test_a_formula_on_lines_of_its_own_is_a_centred_block():
    html = render("Before\n\n$$\n\\frac{a}{b}\n$$\n\nAfter").html
    assert '<div class="math-block"><math display="block">' in html
    assert "<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>" in html
    assert html.startswith("<p>Before</p>") and html.endswith("<p>After</p>\n")


@pytest.mark.parametrize(
    "text",
    [
        "$5 and $10",
        "It costs $5, or $10 with $2 shipping",
        "US$ 5 or $ 10 $",
        "$ x $ has spaces inside its delimiters",
    ],
)
def test_dollars_that_are_not_formulas_stay_text(text):
    rendered = render(text)
    assert rendered.html == f"<p>{text}</p>\n"
    assert rendered.warnings == ()


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("$1$", "<mn>1</mn>"),  # a price rule that only looked at the opening dollar lost it
        ("$x^2$ ends the line 2", "<msup><mi>x</mi><mn>2</mn></msup>"),  # and a last digit
        ("from $2x$ to $3y$", "<mn>2</mn><mi>x</mi>"),
        ("$a$$b$", "<mi>a</mi>"),
    ],
)
def test_formulas_that_start_with_a_digit_or_sit_next_to_digits_render(text, formula):
    html = render(text).html
    assert '<math display="inline">' in html and formula in html, html


def test_a_run_of_dollars_is_text():
    assert render("$$$$$", inline=True).html == "$$$$$"


@pytest.mark.parametrize(
    ("text", "bracket"),
    [
        ("\\[projectname\\]/settings.py", "[projectname]/settings.py"),
        ("see \\[1\\] and \\[2\\]", "see [1] and [2]"),
        ("a lone \\( stays", "a lone ( stays"),
    ],
)
def test_escaped_brackets_that_are_not_formulas_stay_brackets(text, bracket):
    assert render(text).html == f"<p>{bracket}</p>\n"


@pytest.mark.parametrize("latex", INVALID)
@pytest.mark.parametrize(
    ("before", "opener", "closer"),
    [
        ("Formula: ", "$", "$"),
        ("Formula: ", "$$", "$$"),
        ("Formula: ", "\\(", "\\)"),
        ("Formula:\n", "\\[", "\\]"),
    ],
)
def test_an_invalid_formula_keeps_its_source_and_warns(latex, before, opener, closer):
    rendered = render(f"{before}{opener}{latex}{closer}")
    assert f'<code class="math-error">{opener}{latex}{closer}</code>' in rendered.html
    assert "<math" not in rendered.html
    line = before.count("\n") + 1
    assert rendered.warnings == (Problem("math_invalid", line, {"formula": latex}),)


def test_an_invalid_formula_block_keeps_its_source_as_a_code_block():
    rendered = render("Intro\n\n$$\n\\frac{a\n$$")
    assert '<pre class="math-error"><code>$$\n\\frac{a\n$$</code></pre>' in rendered.html
    assert rendered.warnings == (Problem("math_invalid", 3, {"formula": "\\frac{a"}),)


def test_a_formula_too_long_to_read_keeps_its_source_and_warns():
    latex = "x+" * 1500 + "x"
    rendered = render(f"${latex}$")
    assert '<code class="math-error">' in rendered.html and "<math" not in rendered.html
    assert rendered.warnings == (Problem("math_too_long", 1, {"limit": 2000}),)


def test_every_invalid_formula_warns_once_and_the_valid_ones_render():
    rendered = render("$a$ $\\frac{a$ $b$ $\\nope$ $c$")
    assert rendered.html.count("<math") == 3
    assert rendered.html.count('class="math-error"') == 2
    assert [problem.params["formula"] for problem in rendered.warnings] == ["\\frac{a", "\\nope"]


BAD = "$\\frac{a$"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f"First line\nsecond line {BAD}", 2),
        (f"Intro\n\n- item\n- {BAD}", 4),
        (f"| a |\n|---|\n| x |\n| {BAD} |", 4),
        (f"> quoted\n> {BAD}", 2),
        (f"a `code\nspan` and\n{BAD}", 3),
        (f"a `code\nspan` {BAD}", 2),
        (f"a  \nhard break {BAD}", 2),
        (f"**bold\ntext** {BAD}", 2),
        (f"[link\ntext](https://example.com) {BAD}", 2),
        (f"$a\n+ b$ {BAD}", 2),
        (f"```\ncode\n```\n{BAD}", 4),
        (f"Heading\n===\n\n\n{BAD}", 5),
        (f"- a\n\n  b\n\n  {BAD}", 5),
        ("x\n\n\\(\\frac{a\\)", 3),
        ("x\n\n\\[\n\\frac{a\n\\]", 3),
        ("x\n\n$$\n\\frac{a\n$$", 3),
    ],
)
@pytest.mark.parametrize("inline", [False, True], ids=["text", "option"])
def test_an_invalid_formula_is_reported_on_its_line(text, line, inline):
    assert [problem.line for problem in render(text, inline=inline).warnings] == [line]


@pytest.mark.parametrize(
    "text",
    [
        "Use `$x$` literally",
        "``$x$ and \\(y\\)``",
        "```\n$x$ and $$y$$\n\\[z\\]\n```",
        "```python\nprice = '$x$'\n```",
        "    $x$ in an indented block",
    ],
)
def test_math_in_code_is_not_a_formula(text):
    rendered = render(text)
    assert "<math" not in rendered.html and "math-error" not in rendered.html
    assert "$x$" in rendered.html
    assert rendered.warnings == ()


@pytest.mark.parametrize("option", ["$x^2$", "Both $a$ and \\(b\\)", "A\n\n$$\nx^2\n$$"])
def test_a_formula_in_an_option_renders(option):
    rendered = render(option, inline=True)
    assert "<math display=" in rendered.html
    assert "<p>" not in rendered.html.replace("<p>A</p>", "")
    assert rendered.warnings == ()


def test_an_invalid_formula_in_an_option_keeps_its_source_and_warns():
    rendered = render("Answer: $\\frac{a$", inline=True)
    assert rendered.html == 'Answer: <code class="math-error">$\\frac{a$</code>'
    assert rendered.warnings == (Problem("math_invalid", 1, {"formula": "\\frac{a"}),)


@pytest.mark.parametrize(
    "latex",
    [
        "\\newcommand{\\a}{x}\\a",
        "\\renewcommand{\\a}{x}\\a",
        "\\def\\a{x}\\a",
        "\\DeclareMathOperator{\\sgn}{sgn}\\sgn x",
        "\\newenvironment{e}{a}{b}",
    ],
)
def test_a_formula_that_defines_commands_keeps_its_source_and_warns(latex):
    rendered = render(f"${latex}$")
    assert "<math" not in rendered.html and '<code class="math-error">' in rendered.html
    assert rendered.warnings == (Problem("math_invalid", 1, {"formula": latex}),)


def test_commands_that_only_look_like_definitions_are_read():
    rendered = render("$\\left( a \\leq b \\right) \\delta \\deg$")
    assert "<math" in rendered.html and rendered.warnings == ()


def test_text_in_a_formula_keeps_its_angle_brackets_and_ampersands():
    rendered = render("$\\text{a<b & c}$")
    assert "<mtext>a&lt;b&nbsp;&amp;&nbsp;c</mtext>" in rendered.html
    assert rendered.warnings == ()


def test_a_formula_cannot_bring_colours_or_links():
    html = render("$\\color{red}{x}$ $\\href{https://evil.example}{y}$").html
    assert "<math" in html
    assert "mathcolor" not in html and "href" not in html and "evil" not in html
