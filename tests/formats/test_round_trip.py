"""write() -> parse() reproduces any well-formed quiz, in both formats.

Generated text is meaningful markdown content: non-empty, stripped, no
carriage returns or other control characters, and code fences are always
closed (an unclosed fence would swallow the rest of the file, so the writers
reject it). Lines that look like format structure are generated on purpose
to exercise the writers' escaping.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.formats import (
    ACCESS,
    CORRECT,
    INCORRECT,
    MULTIPLE,
    PARTIAL,
    REVIEWS,
    SINGLE,
    ParsedOption,
    ParsedQuestion,
    ParsedQuiz,
    ParsedSection,
    QuizSettings,
    detect_format,
    parse,
    write,
)
from quizzes.formats._markdown import is_fence_line
from quizzes.formats.model import FULL, MAX_TIME_LIMIT, PUBLIC

FORMATS = ["seed", "tasklist"]

words = st.text(
    alphabet=st.sampled_from(
        [*list("abcxyz ЖжЯяЁёДд0123459*_`#>-+.:!?()[]\\~|"), "✅", "❌", "⚠", "️", "😀", "é", "\t"]
    ),
    min_size=1,
    max_size=20,
).filter(lambda line: not is_fence_line(line))  # a stray fence would be an unclosed block

tricky_lines = st.sampled_from(
    [
        "* ✅ looks like an option",
        "- ❌ also an option",
        "  + ⚠️ indented option",
        "\\* ✅ already escaped",
        "- [x] task option",
        "- [ ] task option",
        "- [~] partial task option",
        "## Задание 3",
        "## Task",
        "### Объяснение",
        "### Explanation",
        "#### ✅ 1. section",
        "#### 2. numbered",
        "### Q7. heading",
        "#### plain h4",
        "## Q2",
        "## 3. numbered h2",
        "**4.** bold numbered",
        "**Q5. bold question**",
        "# Title-like",
        "---",
        "***",
        "- [Задание 4](#задание-4)",
        "<!-- quizsite: draft -->",
        "<!-- quizsite: explanation -->",
        "<!-- quizsite: practice access=invite -->",
        "<!-- quizsite: question-bank -->",
        "<!-- quizsite: section draw=2 bank=dl | Раздел -->",
        "<!-- quizsite: section2 tag=x retired -->",
        "Выберите один вариант из списка:",
        "Select all that apply",
        "> a quote",
        "**bold line**",
        "![image](img/x.png)",
        "1. numbered item",
        "  indented text",
        "hard break  ",
        "",
        "",
    ]
)


@st.composite
def code_block(draw):
    fence = draw(st.sampled_from(["```", "````", "~~~"]))
    lang = draw(st.sampled_from(["", "python", "bash"]))
    body = draw(st.lists(st.one_of(words, tricky_lines), max_size=4))
    return "\n".join([fence + lang, *body, fence])


@st.composite
def markdown(draw):
    parts = draw(st.lists(st.one_of(words, tricky_lines, code_block()), min_size=1, max_size=6))
    text = "\n".join(parts).strip()
    if not text:
        text = draw(st.sampled_from(["Текст", "text"]))
    return text


single_line = words.map(str.strip).filter(bool).filter(lambda s: "\t" not in s)


@st.composite
def questions(draw):
    kind = draw(st.sampled_from([SINGLE, MULTIPLE]))
    published = draw(st.booleans())
    # A draft may have no options yet (questions added on the quiz page start so).
    no_options = not published and draw(st.booleans())
    n = 0 if no_options else draw(st.integers(min_value=1, max_value=5))
    if kind == SINGLE:
        verdicts = [draw(st.sampled_from([INCORRECT, PARTIAL])) for _ in range(n)]
        if n and (published or draw(st.booleans())):
            verdicts[draw(st.integers(0, n - 1))] = CORRECT
    else:
        verdicts = [draw(st.sampled_from([CORRECT, INCORRECT, PARTIAL])) for _ in range(n)]
        if published and CORRECT not in verdicts:
            verdicts[0] = CORRECT
    options = [
        ParsedOption(
            text=draw(markdown()),
            verdict=v,
            feedback=draw(st.one_of(st.just(""), markdown())),
        )
        for v in verdicts
    ]
    return ParsedQuestion(
        text=draw(markdown()),
        kind=kind,
        options=options,
        explanation=draw(st.one_of(st.just(""), markdown())),
        number=draw(st.one_of(st.none(), st.integers(0, 500))),
        published=published,
    )


@st.composite
def quiz_settings(draw):
    """Any settings a file can state; a practice quiz may only repeat what practice implies."""
    practice = draw(st.booleans())
    access, reviews = (PUBLIC,), (FULL,)
    if not practice:
        access, reviews = ACCESS, REVIEWS
    return QuizSettings(
        practice=practice,
        access=draw(st.one_of(st.none(), st.sampled_from(access))),
        review_after_attempt=draw(st.one_of(st.none(), st.sampled_from(reviews))),
        review_after_close=draw(st.one_of(st.none(), st.sampled_from(reviews))),
        time_limit=draw(
            st.one_of(
                st.none(),
                st.integers(0, MAX_TIME_LIMIT),
                st.sampled_from([0, 60, 3600, MAX_TIME_LIMIT]),
            )
        ),
    )


names = words.filter(lambda name: name.strip() == name and name)


@st.composite
def sections(draw):
    title = draw(st.one_of(st.just(""), single_line.filter(lambda t: ">" not in t)))
    if not draw(st.booleans()):
        return ParsedSection(title=title)
    return ParsedSection(
        title=title,
        draw=draw(st.integers(1, 50)),
        bank=draw(names),
        tag=draw(st.one_of(st.just(""), names)),
    )


@st.composite
def quizzes(draw):
    """A quiz, with sections, tags and retired questions half of the time."""
    quiz = ParsedQuiz(
        title=draw(single_line),
        description=draw(st.one_of(st.just(""), markdown())),
        questions=draw(st.lists(questions(), min_size=1, max_size=3)),
        settings=draw(st.one_of(st.none(), quiz_settings())),
    )
    if draw(st.booleans()):
        quiz.sections = draw(st.lists(sections(), min_size=1, max_size=3))
        fixed = [n for n, s in enumerate(quiz.sections, 1) if s.draw is None]
        for question in quiz.questions:
            question.section = draw(st.one_of(st.none(), *map(st.just, fixed)))
            question.tags = sorted(draw(st.sets(names, max_size=3)))
            question.retired = draw(st.booleans())
    return quiz


def as_bank(quiz: ParsedQuiz) -> ParsedQuiz:
    """The quiz as a question bank file: no description, settings or sections."""
    for question in quiz.questions:
        question.section = None
    return dataclasses.replace(quiz, description="", settings=None, sections=[], bank=True)


def without_lines(quiz: ParsedQuiz) -> dict:
    data = dataclasses.asdict(quiz)
    for q in data["questions"]:
        q["line"] = 0
        for o in q["options"]:
            o["line"] = 0
    return data


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quiz=quizzes())
def test_write_then_parse_is_lossless(fmt, quiz):
    written = write(quiz, fmt)
    result = parse(written, format=fmt)
    assert result.errors == [], written
    assert without_lines(result.quiz) == without_lines(quiz), written


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quiz=quizzes().map(as_bank))
def test_a_question_bank_file_round_trips(fmt, quiz):
    written = write(quiz, fmt)
    result = parse(written, format=fmt)
    assert result.errors == [], written
    assert result.quiz.bank and without_lines(result.quiz) == without_lines(quiz), written


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=50, deadline=None)
@given(quiz=quizzes())
def test_written_bytes_round_trip_with_line_numbers_pointing_at_options(fmt, quiz):
    written = write(quiz, fmt)
    result = parse(written.encode("utf-8"), format=fmt)
    assert result.ok
    lines = written.split("\n")
    for q in result.quiz.questions:
        assert lines[q.line - 1].startswith("##")
        for o in q.options:
            assert lines[o.line - 1].lstrip().startswith(("*", "-"))


def plain_quiz() -> ParsedQuiz:
    return ParsedQuiz(
        title="Основы",
        description="Описание",
        questions=[
            ParsedQuestion(
                text="Сколько будет 2+2?",
                kind=SINGLE,
                options=[
                    ParsedOption("4", CORRECT, "Верно."),
                    ParsedOption("5", INCORRECT),
                ],
                explanation="Арифметика.",
                number=1,
            ),
            ParsedQuestion(
                text="Что из этого языки?\n\n```python\nprint(1)\n```",
                kind=MULTIPLE,
                options=[
                    ParsedOption("Python", CORRECT),
                    ParsedOption("Java", CORRECT),
                    ParsedOption("HTML", PARTIAL, "Язык разметки."),
                ],
                number=2,
            ),
        ],
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_written_files_are_detected_as_their_format(fmt):
    written = write(plain_quiz(), fmt)
    assert detect_format(written) == fmt
    result = parse(written.encode())
    assert result.format == fmt
    assert without_lines(result.quiz) == without_lines(plain_quiz())


def test_seed_writer_output_shape():
    written = write(plain_quiz(), "seed")
    assert written.startswith("# Основы\n\nОписание\n\n- [Задание 1](#задание-1)\n")
    assert "## Задание 1\n\n**Сколько будет 2+2?**\n\nВыберите один вариант из списка:\n" in written
    assert "* ✅ 4\n* ❌ 5\n" in written
    assert "#### ✅ 1. 4\n\nВерно." in written
    assert "Выберите все подходящие ответы из списка:\n\n* ✅ Python" in written
    assert "* ⚠️ HTML" in written


def test_tasklist_writer_output_shape():
    written = write(plain_quiz(), "tasklist")
    assert written.startswith("# Основы\n\nОписание\n\n### Q1. Сколько будет 2+2?\n")
    assert "- [x] 4\n\n  > Верно.\n\n- [ ] 5\n" in written
    assert "- [~] HTML" in written


@pytest.mark.parametrize("fmt", FORMATS)
def test_writer_rejects_unrepresentable_content(fmt):
    quiz = plain_quiz()
    quiz.questions[0].text = "```python\nnever closed"
    with pytest.raises(ValueError, match="code fence"):
        write(quiz, fmt)
    quiz = plain_quiz()
    quiz.title = "two\nlines"
    with pytest.raises(ValueError, match="single line"):
        write(quiz, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "text",
    [
        "0\n\n  + ⚠️ indented option",
        "Q5. looks numbered\n\n```\ncode\n```",
        "```\nfence first\n```",
        "**already bold**",
        "first\nsecond line of the same paragraph",
        "line  \n\n\n> quote after two blank lines",
    ],
)
def test_question_text_edge_cases_round_trip(fmt, text):
    quiz = plain_quiz()
    quiz.questions[0].text = text
    quiz.questions[0].number = None
    result = parse(write(quiz, fmt), format=fmt)
    assert result.ok
    assert result.quiz.questions[0].text == text
