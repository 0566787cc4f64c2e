"""The one tag that shows an option's verdict: icon for the eye, words for screen readers."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

LABEL = (
    '<span class="verdict" title="{words}" aria-hidden="true">{icon}</span>'
    '<span class="visually-hidden">{words}:</span>'
)


def render(verdict: str, language: str) -> str:
    with translation.override(language):
        return Template("{% load quizzes_tags %}{% verdict_label verdict %}").render(
            Context({"verdict": verdict})
        )


@pytest.mark.parametrize(
    ("language", "verdict", "icon", "words"),
    [
        ("en", "correct", "✅", "correct"),
        ("en", "incorrect", "❌", "wrong"),
        ("en", "partial", "⚠️", "acceptable with a caveat"),
        ("ru", "correct", "✅", "верно"),
        ("ru", "incorrect", "❌", "неверно"),
        ("ru", "partial", "⚠️", "допустимо с оговоркой"),
    ],
)
def test_icon_and_words_in_each_language(language, verdict, icon, words):
    assert render(verdict, language) == LABEL.format(icon=icon, words=words)


def test_anything_but_a_verdict_shows_nothing():
    assert render("", "en") == render("none", "en") == render("<b>", "ru") == ""


def test_no_template_writes_a_verdict_of_its_own():
    templates = Path(settings.BASE_DIR) / "templates"
    own = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r'class="verdict"|[✅❌⚠]', path.read_text(encoding="utf-8"))
    ]
    assert own == []
