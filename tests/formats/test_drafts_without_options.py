"""A draft question may have no options yet; a published one may not (issue 14).

Questions added on the quiz page start as drafts without options, so export must carry
them and import must give them back: text, kind and explanation intact, still drafts.
"""

from __future__ import annotations

import pytest

from quizzes.formats import (
    CORRECT,
    INCORRECT,
    MULTIPLE,
    SINGLE,
    Code,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    detect_format,
    parse,
    write,
)

FORMATS = ["seed", "tasklist"]


def quiz_with_draft(*, explanation: str = "Почему так.\n\n```\ncode\n```") -> ParsedQuiz:
    return ParsedQuiz(
        title="Черновики",
        questions=[
            ParsedQuestion(
                text="Какие из команд меняют историю?\n\nПодумайте о `rebase`.",
                kind=MULTIPLE,
                options=[],
                explanation=explanation,
                number=1,
                published=False,
            ),
            ParsedQuestion(
                text="Сколько будет 2+2?",
                kind=SINGLE,
                options=[ParsedOption("4", CORRECT), ParsedOption("5", INCORRECT)],
                number=2,
            ),
        ],
    )


def without_lines(quiz: ParsedQuiz) -> ParsedQuiz:
    for question in quiz.questions:
        question.line = 0
        for option in question.options:
            option.line = 0
    return quiz


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("explanation", ["", "Почему так.", "```\ncode first\n```\n\nthen words"])
def test_a_draft_without_options_round_trips_with_its_text_kind_and_explanation(fmt, explanation):
    quiz = quiz_with_draft(explanation=explanation)
    written = write(quiz, fmt)
    result = parse(written, format=fmt)
    assert result.errors == [] and result.warnings == [], written
    assert without_lines(result.quiz) == quiz_with_draft(explanation=explanation), written
    draft = result.quiz.questions[0]
    assert (draft.published, draft.options, draft.kind) == (False, [], MULTIPLE)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_published_question_without_options_is_still_refused_by_the_writer(fmt):
    quiz = quiz_with_draft()
    quiz.questions[0].published = True
    with pytest.raises(ValueError, match="question 1: no options"):
        write(quiz, fmt)


def test_the_tasklist_writer_separates_a_drafts_text_from_its_explanation():
    written = write(quiz_with_draft(explanation="Почему так."), "tasklist")
    assert (
        "### Q1. Какие из команд меняют историю?\n\n<!-- quizsite: multiple draft -->\n\n"
        "Подумайте о `rebase`.\n\n<!-- quizsite: explanation -->\n\nПочему так.\n\n### Q2."
    ) in written


def test_a_tasklist_file_of_drafts_without_options_is_detected_as_tasklist():
    quiz = quiz_with_draft()
    del quiz.questions[1]
    written = write(quiz, "tasklist")
    assert detect_format(written) == "tasklist"
    assert without_lines(parse(written.encode()).quiz) == quiz


def test_a_tasklist_question_marked_draft_without_checkboxes_keeps_its_text():
    text = (
        "# Quiz\n\n### Q1. Lettered options?\n\n<!-- quizsite: draft -->\n\na) one\nb) two\n\n"
        "### Q2. Real?\n\n- [x] yes\n- [ ] no\n"
    )
    result = parse(text, format="tasklist")
    assert result.warnings == []
    draft, real = result.quiz.questions
    assert (draft.text, draft.options, draft.published) == (
        "Lettered options?\n\na) one\nb) two",
        [],
        False,
    )
    assert (draft.line, draft.number, draft.explanation) == (3, 1, "")
    assert real.published and len(real.options) == 2


def test_a_tasklist_question_without_checkboxes_or_draft_mark_is_still_skipped():
    text = (
        "# Quiz\n\n### Q1. Lettered?\n\n<!-- quizsite: multiple -->\n\na) one\n\n"
        "### Q2. Real?\n\n- [x] yes\n"
    )
    result = parse(text, format="tasklist")
    assert [q.number for q in result.quiz.questions] == [2]
    [warning] = result.warnings
    assert (warning.line, warning.code) == (3, Code.TASKLIST_QUESTION_SKIPPED)


def test_a_tasklist_draft_with_neither_text_nor_options_is_skipped():
    text = "# Quiz\n\n### Q1.\n\n<!-- quizsite: draft -->\n\n### Q2. Real?\n\n- [x] yes\n"
    result = parse(text, format="tasklist")
    assert [q.number for q in result.quiz.questions] == [2]
    assert [w.code for w in result.warnings] == [Code.TASKLIST_QUESTION_SKIPPED]


def test_a_seed_draft_without_options_ends_its_text_at_the_rule_or_the_explanation():
    text = (
        "# Quiz\n\n## Задание 1\n\n<!-- quizsite: draft -->\n\n**Вопрос**\n\nЕщё текст\n\n"
        "Выберите все подходящие ответы из списка:\n\n---\n\n### Объяснение\n\nПотому что.\n\n"
        "---\n\n## Задание 2\n\n<!-- quizsite: draft -->\n\nВторой\n\n### Explanation\n\nНу.\n"
    )
    result = parse(text, format="seed")
    assert result.errors == [] and result.warnings == []
    first, second = result.quiz.questions
    assert (first.text, first.kind, first.explanation) == (
        "Вопрос\n\nЕщё текст",
        MULTIPLE,
        "Потому что.",
    )
    assert (second.text, second.kind, second.explanation) == ("Второй", SINGLE, "Ну.")
    assert first.options == second.options == [] and not (first.published or second.published)


def test_a_published_seed_question_without_options_is_still_an_error():
    result = parse("# Quiz\n\n## Задание 1\n\nВопрос\n\n---\n", format="seed")
    [error] = result.errors
    assert (error.line, error.code, error.params) == (
        3,
        Code.SEED_NO_OPTIONS,
        {"label": "Задание 1"},
    )
    assert result.quiz is None
