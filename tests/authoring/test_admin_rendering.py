"""The admin refuses texts the renderer would not render, and warns about formulas kept as
source; what is saved has its HTML stored."""

import pytest

from quizzes import markup
from tests.authoring.test_admin_editing import option_index, post_question, question_form
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def test_an_explanation_over_the_limit_is_refused_with_its_line(admin_client):
    question = make_quiz().questions.get(position=2)
    data = question_form(admin_client, question)
    data["explanation"] = "Первая строка\n" + "я" * markup.MAX_TEXT_CHARS

    response = post_question(admin_client, question, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 2: The text is 10014 characters long; at most 10000 characters" in html
    question.refresh_from_db()
    assert question.explanation == "Объяснение **2**"


def test_an_option_nested_too_deeply_is_refused(admin_client):
    question = make_quiz().questions.get(position=2)
    data = question_form(admin_client, question)
    data[f"options-{option_index(data, 'Он не требует learning rate')}-feedback"] = (
        "> " * (markup.MAX_NESTING + 1) + "цитата"
    )

    response = post_question(admin_client, question, data)

    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()


def test_an_unreadable_formula_is_saved_as_source_and_named_in_a_warning(admin_client):
    question = make_quiz().questions.get(position=2)
    data = question_form(admin_client, question)
    data["explanation"] = "Градиент:\n\n$\\nabla_\\theta \\frac{L$"

    response = post_question(admin_client, question, data)

    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "explanation: Line 3: This formula could not be read" in page
    question.refresh_from_db()
    assert '<code class="math-error">$\\nabla_\\theta \\frac{L$</code>' in (
        question.explanation_html
    )


def test_saving_a_formula_stores_mathml_for_the_candidates(admin_client):
    question = make_quiz().questions.get(position=2)
    data = question_form(admin_client, question)
    data["text"] = "Чему равна производная $\\sigma(x)$?"

    assert post_question(admin_client, question, data).status_code == 302

    question.refresh_from_db()
    assert '<math display="inline"><mrow><mi>σ</mi>' in question.text_html
