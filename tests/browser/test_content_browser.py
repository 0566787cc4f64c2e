"""Formulas and code as a candidate sees them on a phone: MathML laid out by Chromium, code
coloured by the stylesheet, nothing blocked by the CSP, nothing wider than the screen."""

import re

import pytest

from quizzes import formats
from quizzes.services.importing import import_quiz
from tests.browser.steps import submit_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375
QUIZ = """# Формулы и код

<!-- quizsite: practice -->

### Q1. Чему равна сумма выходов softmax $\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$?

- [x] $1$

  > Знаменатель \\(\\sum_j e^{z_j}\\) нормирует выходы:
  >
  > $$\\sum_i \\sigma(z)_i = 1$$
- [ ] $0$
- [ ] Зависит от $z$

### Q2. Что выведет этот код?

```python
import torch
x = torch.ones(2, 3)
print(x.sum(dim=0))  # по столбцам
```

- [x] `tensor([2., 2., 2.])`
- [ ] `tensor([3., 3.])`

  > `dim=0` схлопывает строки, а не столбцы.

Итог по слоям:

| слой | параметры |
|---|:-:|
| ReLU | нет |
"""


def test_formulas_and_code_on_a_phone_sized_result_page(browser, live_server, screenshot):
    parsed = formats.parse(QUIZ.encode())
    assert parsed.ok and not parsed.warnings, parsed.warnings
    quiz = import_quiz(parsed=parsed.quiz).quiz
    context = browser.new_context(
        locale="ru-RU", viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security" in message.text else None
        ),
    )
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_label("Имя").fill("Ольга")
    page.get_by_label("Электронная почта").fill("olga@example.com")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")
    _assert_math_is_laid_out(page)
    screenshot(page, "1-attempt")
    # The option "$1$" is named by its formula's text.
    page.locator("label").filter(has_text=re.compile(r"^\s*1\s*$")).click()
    page.get_by_label("tensor([2., 2., 2.])", exact=True).check()
    submit_answers(page)

    _assert_math_is_laid_out(page)
    keyword = page.locator(".code-block .highlight .kn").first  # "import"
    assert keyword.inner_text() == "import"
    plain = page.evaluate("() => getComputedStyle(document.body).color")
    assert keyword.evaluate("el => getComputedStyle(el).color") != plain, "code is not coloured"
    assert page.locator(".code-language").first.inner_text() == "Python"
    assert page.locator("td.text-center").first.inner_text() == "нет"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    assert not blocked, blocked
    screenshot(page, "2-result-with-math-and-code")
    context.close()


def _assert_math_is_laid_out(page) -> None:
    """Chromium lays MathML out (MathML Core): a fraction is taller than a line of text."""
    fraction = page.locator("math mfrac").first
    fraction.wait_for()
    box = fraction.bounding_box()
    assert box is not None and box["height"] > 20, box
