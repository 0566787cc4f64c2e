"""The stored shape of authored markdown (quizzes.text): line breaks, trailing whitespace."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes import formats
from quizzes.markup import render
from quizzes.text import normalize_markdown, normalized_quiz


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("first\r\nsecond", "first\nsecond"),
        ("old mac\rline", "old mac\nline"),
        ("para\r\n\r\nnext\r\n", "para\n\nnext"),
        ("trailing space \nand tab\t\nend", "trailing space\nand tab\nend"),
        ("   \n\n  text  \n\t\n", "text"),
        ("a\n \t \nb", "a\n\nb"),
        ("```\ncode \n```", "```\ncode\n```"),
    ],
)
def test_line_breaks_become_lf_and_trailing_whitespace_goes(typed, stored):
    assert normalize_markdown(typed) == stored


def test_a_hard_line_break_is_kept_as_two_spaces():
    assert normalize_markdown("Строка  \r\nследующая") == "Строка  \nследующая"
    assert normalize_markdown("three   \nspaces") == "three  \nspaces"


@pytest.mark.parametrize(
    "typed",
    [
        "end of a paragraph  \n\nnext paragraph",  # a break before a blank line breaks nothing
        "end of the text  ",
        "before a blank line  \n   \nafter",
        "one space is no break \nnext",
        "spaces then a tab  \t\nnext",  # CommonMark wants the spaces right before the break
    ],
)
def test_trailing_spaces_that_break_nothing_are_dropped(typed):
    assert "  \n" not in normalize_markdown(typed)
    assert not normalize_markdown(typed).endswith(" ")


def test_leading_indentation_of_the_first_line_goes_like_form_fields_always_did():
    assert normalize_markdown("\n    indented\n    more") == "indented\n    more"


def test_normalising_renders_the_same_html():
    typed = (
        "**Жирный**  \r\nперенос\r\n\r\n- пункт \r\n- ещё\t\r\n\r\n```python\r\nx = 1  \r\n```\r\n"
    )
    assert render(normalize_markdown(typed)).html == render(typed.replace("\r\n", "\n")).html
    assert "<br" in render(normalize_markdown(typed)).html


lines = st.lists(
    st.text(
        alphabet=st.sampled_from([*"ab *_`#>-\t", "\u00a0", "я", "✅"]),
        max_size=8,
    ),
    max_size=6,
)


@given(parts=lines, breaks=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=6))
def test_normalising_is_idempotent_and_leaves_no_noise(parts, breaks):
    typed = "".join(part + brk for part, brk in zip(parts, breaks, strict=False))
    stored = normalize_markdown(typed)
    assert normalize_markdown(stored) == stored
    assert "\r" not in stored
    assert stored == stored.strip()
    stored_lines = stored.split("\n")
    for line, following in zip(stored_lines, [*stored_lines[1:], ""], strict=True):
        trailing = line[len(line.rstrip(" \t")) :]
        assert trailing in ("", "  ")
        if trailing:
            assert following.strip() and line.strip()


def test_a_parsed_quiz_gets_every_text_normalised_and_keeps_the_rest():
    quiz = formats.ParsedQuiz(
        title="Тест",
        description="Описание \r\n",
        questions=[
            formats.ParsedQuestion(
                text="Вопрос\t",
                kind=formats.SINGLE,
                options=[formats.ParsedOption("Да ", formats.CORRECT, "Верно.  ", line=7)],
                explanation="\r\nПотому что.",
                line=3,
                number=1,
                published=False,
            )
        ],
    )
    normalized = normalized_quiz(quiz)
    assert normalized.description == "Описание"
    question = normalized.questions[0]
    assert (question.text, question.explanation) == ("Вопрос", "Потому что.")
    assert (question.line, question.number, question.published) == (3, 1, False)
    assert question.options == [formats.ParsedOption("Да", formats.CORRECT, "Верно.", line=7)]
    assert quiz.description == "Описание \r\n"  # the input is left alone
