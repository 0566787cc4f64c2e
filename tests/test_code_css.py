"""Highlighted code has its colours: the committed stylesheet is Pygments' for the chosen style,
and site pages and the admin link it with the styles of rendered content."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from pygments.formatters import HtmlFormatter

from quizzes.markup import render
from quizzes.markup.stylesheet import PATH, SCOPE, STYLE, stylesheet

STYLESHEETS = ["/static/quizzes/content.css", "/static/quizzes/code.css"]


def test_the_code_stylesheet_is_what_make_code_css_writes():
    # If this fails after a Pygments upgrade or a change of style: run `make code-css`.
    assert PATH.read_text(encoding="utf-8") == stylesheet()


def test_the_code_stylesheet_has_pygments_rules_for_the_style_and_only_for_code_blocks():
    committed = PATH.read_text(encoding="utf-8").splitlines()
    formatter = HtmlFormatter(style=STYLE)
    for rule in formatter.get_token_style_defs(SCOPE) + formatter.get_background_style_defs(SCOPE):
        assert rule in committed
    rules = [line for line in committed if "{" in line]
    assert len(rules) > 50
    assert all(rule.startswith(SCOPE + " ") for rule in rules)


def test_every_class_the_highlighter_writes_for_python_is_in_the_stylesheet_or_plain():
    css = PATH.read_text(encoding="utf-8")
    html = render("```python\n@cached\ndef f(x: int) -> str:\n    return f'{x!r}'  # why\n```").html
    classes = set(re.findall(r'<span class="([a-z0-9]+)">', html))
    assert {"k", "nd", "nf", "c1", "sa"} <= classes
    unstyled = {name for name in classes if f"{SCOPE} .{name} {{" not in css}
    # Pygments' default style leaves plain names and punctuation in the text's colour.
    assert unstyled == {"n", "p"}


@pytest.mark.django_db
def test_site_pages_link_the_content_and_code_stylesheets(client, quiz):
    page = client.get(quiz.get_absolute_url()).content.decode()
    for href in STYLESHEETS:
        assert f'<link rel="stylesheet" href="{href}">' in page


@pytest.mark.django_db
def test_admin_pages_link_the_content_and_code_stylesheets(client, django_user_model, quiz):
    client.force_login(django_user_model.objects.create_superuser("ada", "a@example.com", "pw"))
    question = quiz.questions.first()
    for url in [
        reverse("admin:quizzes_question_change", args=[question.pk]),
        reverse("admin:quizzes_quiz_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        for href in STYLESHEETS:
            assert f'<link rel="stylesheet" href="{href}">' in page, url
