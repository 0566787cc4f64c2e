"""Sections, draw rules, tags and retired questions in both file formats."""

import pytest

from quizzes.formats import ParsedOption, ParsedQuestion, ParsedQuiz, ParsedSection, parse, write

FORMATS = ["seed", "tasklist"]


def quiz_with_sections() -> ParsedQuiz:
    def question(text, **fields):
        options = [ParsedOption(text="да", verdict="correct"), ParsedOption("нет", "incorrect")]
        return ParsedQuestion(text=text, kind="single", options=options, **fields)

    return ParsedQuiz(
        title="Собеседование",
        questions=[
            question("Что такое ReLU?", section=1, tags=["Deep Learning", "основы"]),
            question("Что такое Adam?", tags=["cnn"], retired=True),
            question("Что такое dropout?", section=3),
        ],
        sections=[
            ParsedSection(title="Основы | база"),
            ParsedSection(title="Случайные", draw=3, bank="dl-basics", tag="CNN сети"),
            ParsedSection(title=""),
        ],
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_sections_rules_and_tags_round_trip(fmt):
    quiz = quiz_with_sections()
    written = write(quiz, fmt)
    result = parse(written, format=fmt)
    assert result.errors == [] and result.warnings == [], written
    assert result.quiz.sections == quiz.sections
    assert [(q.section, q.tags, q.retired) for q in result.quiz.questions] == [
        (1, ["Deep Learning", "основы"], False),
        (None, ["cnn"], True),
        (3, [], False),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_rules_read_as_written(fmt):
    written = write(quiz_with_sections(), fmt)
    assert "<!-- quizsite: section | Основы | база -->" in written
    assert "<!-- quizsite: section draw=3 bank=dl-basics tag=%43%4E%4E%20" in written
    assert "<!-- quizsite: section -->" in written
    assert "section=1 tag=%44eep%20%4Cearning tag=%D0%BE" in written
    assert "tag=cnn retired -->" in written


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_without_sections_has_none(fmt):
    quiz = quiz_with_sections()
    quiz.sections = []
    for question in quiz.questions:
        question.section, question.tags, question.retired = None, [], False
    written = write(quiz, fmt)
    assert "section" not in written
    assert parse(written, format=fmt).quiz.sections == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q: setattr(q.sections[0], "title", "a > b"), "section 1: the title"),
        (lambda q: setattr(q.sections[1], "bank", ""), "section 2: a draw needs"),
        (lambda q: setattr(q.questions[0], "section", 2), "question 1: section 2 is not"),
        (lambda q: setattr(q.questions[0], "tags", ["b", "a"]), "question 1: tags must"),
    ],
)
def test_what_a_file_cannot_say_is_refused(change, message):
    quiz = quiz_with_sections()
    change(quiz)
    with pytest.raises(ValueError, match=message):
        write(quiz, "seed")
