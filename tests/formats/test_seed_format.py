"""Behaviour of the seed (✅/❌/⚠️) format parser."""

from __future__ import annotations

import pytest

from quizzes.formats import (
    CORRECT,
    INCORRECT,
    MULTIPLE,
    PARTIAL,
    SINGLE,
    Code,
    ParseResult,
    decode,
    detect_format,
    parse,
    write,
)
from quizzes.formats.problems import problem

from ._paths import DATA

MOJIBAKE_REPAIR = problem(None, Code.MOJIBAKE_REPAIRED, codec="Mac OS Roman")


def options_of(question):
    return [(o.text, o.verdict) for o in question.options]


def single_error(result: ParseResult):
    assert result.quiz is None
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    problem = result.errors[0]
    assert problem.line is not None and problem.line >= 1
    return problem


# --------------------------------------------------------------------------- the real seed


def test_seed_file_title_and_questions(seed_bytes):
    result = parse(seed_bytes)
    assert result.ok
    assert result.format == "seed"
    assert result.encoding == "utf-8"
    quiz = result.quiz
    assert quiz.title == "Тестовые задания: DL+NLP+CV"
    assert quiz.description == ""
    assert [q.number for q in quiz.questions] == [1, 2, 3]
    assert all(q.published for q in quiz.questions)


def test_seed_file_mojibake_repair_is_reported(seed_bytes):
    assert "–¢–µ—Å—Ç" in seed_bytes.decode("utf-8")
    result = parse(seed_bytes)
    assert result.repairs == [MOJIBAKE_REPAIR]
    decoded = decode(seed_bytes)
    assert decoded.repairs == [MOJIBAKE_REPAIR]
    assert decoded.text == seed_bytes.decode("utf-8").encode("mac_roman").decode("utf-8")


def test_seed_file_question_1_is_multiple_with_all_feedback(seed_bytes):
    q1 = parse(seed_bytes).quiz.questions[0]
    assert q1.kind == MULTIPLE
    assert q1.text == "Какие из следующих слоев нейронной сети не обновляются при backpropagation?"
    assert options_of(q1) == [
        ("MaxPooling", CORRECT),
        ("Полносвязный слой", INCORRECT),
        ("Dropout", CORRECT),
        ("Слой свертки", INCORRECT),
        ("Batch Normalization", PARTIAL),
        ("ReLU", CORRECT),
    ]
    phrases = [
        "выбирает максимальное значение в окне",
        "Имеет матрицу весов и вектор смещений",
        "случайно обнуляет часть нейронов",
        "Имеет ядра (фильтры)",
        "Вычисляет среднее и дисперсию по батчу",
        "Активационная функция: `f(x) = max(0, x)`",
    ]
    for option, phrase in zip(q1.options, phrases, strict=True):
        assert phrase in option.feedback
        assert not option.feedback.startswith("#")
        assert not option.feedback.endswith("---")
    # The verdict written in each section's heading opens that option's feedback.
    notes = ["не обновляется", "обновляется", "не обновляется", "обновляется"]
    notes += ["зависит от реализации", "не обновляется"]
    for option, note in zip(q1.options, notes, strict=True):
        assert option.feedback.startswith(f"**{note}**\n\n- ")
    assert q1.options[0].feedback.startswith(
        "**не обновляется**\n\n- Операция: выбирает максимальное значение в окне."
    )
    assert q1.options[0].feedback.endswith("**Вывод:** Подходит.")
    assert q1.explanation.startswith("При обратном распространении ошибки")
    assert q1.explanation.endswith("Рассмотрим каждый вариант:")
    assert "####" not in q1.explanation


def test_seed_file_question_2_is_single_with_numbered_bold_sections(seed_bytes):
    q2 = parse(seed_bytes).quiz.questions[1]
    assert q2.kind == SINGLE
    assert q2.text == "Какое утверждение про Adam верное?"
    assert options_of(q2) == [
        ("Он адаптирует learning rate для каждого параметра", CORRECT),
        ("Он не требует learning rate", INCORRECT),
        ("Он не хранит past gradients", INCORRECT),
        ("Он всегда сходится быстрее, чем SGD", INCORRECT),
    ]
    phrases = [
        "Adam использует **два момента**",
        "Наоборот, **Adam требует learning rate**",
        "Adam **хранит историю градиентов**",
        "Хотя Adam часто **быстрее сходится",
    ]
    for option, phrase in zip(q2.options, phrases, strict=True):
        assert option.feedback.startswith(phrase)
    assert q2.explanation.startswith("**Adam** (Adaptive Moment Estimation)")


def test_seed_file_question_3_matches_sections_with_trailing_text(seed_bytes):
    q3 = parse(seed_bytes).quiz.questions[2]
    assert q3.kind == SINGLE
    assert q3.text.startswith("При обучении модели вы наблюдаете, что loss")
    assert options_of(q3) == [
        ("Взрыв градиентов", CORRECT),
        ("Переобучение", INCORRECT),
        ("Затухание градиентов", INCORRECT),
        ("Норма входного вектора равна нулю в слое нормализации", INCORRECT),
    ]
    phrases = [
        "При взрыве градиентов их значения быстро растут",
        "Переобучение проявляется как",
        "При затухании градиенты становятся",
        "Возникает, например, в `BatchNorm`",
    ]
    notes = ["**вероятная причина**\n\n", "не подходит\n\n", "противоположная проблема\n\n", ""]
    for option, note, phrase in zip(q3.options, notes, phrases, strict=True):
        assert option.feedback.startswith(note + "- " + phrase)
    assert q3.explanation.startswith("Рассмотрим поведение функции потерь (loss):")


def test_seed_file_missing_toc_entries_give_one_warning_each(seed_bytes):
    result = parse(seed_bytes)
    assert len(result.warnings) == 3
    for warning, n in zip(result.warnings, (4, 5, 6), strict=True):
        assert (warning.code, warning.params) == (Code.SEED_TOC_MISSING, {"label": f"Задание {n}"})
        assert warning.line == 2 + n


# --------------------------------------------------------------------------- bad input


def test_empty_file_is_one_error():
    problem = single_error(parse(b""))
    assert problem.line == 1
    assert problem.code == Code.EMPTY_FILE
    assert single_error(parse(b"  \r\n\n\t\n")).code == Code.EMPTY_FILE


def test_file_without_questions_is_one_error():
    problem = single_error(parse(b"# Title\n\nJust prose, no tasks.\n"))
    assert problem.code == Code.NO_QUESTIONS


def test_option_without_verdict_is_one_error_with_its_line():
    text = "# T\n\n## Задание 1\n\n**Q?**\n\n* ✅ yes\n* maybe\n* ❌ no\n"
    problem = single_error(parse(text.encode()))
    assert problem.line == 8
    assert (problem.code, problem.params) == (Code.SEED_OPTION_NO_VERDICT, {"excerpt": "* maybe"})


def test_bullets_in_question_body_and_explanation_are_not_options():
    text = (
        "# T\n\n## Задание 1\n\n**Q?**\n\n- context one\n- context two\n\n"
        "Выберите один вариант из списка:\n\n* ✅ yes\n* ❌ no\n\n---\n\n"
        "### Объяснение\n\n- reason one\n- reason two\n"
    )
    result = parse(text.encode())
    assert result.ok, result.errors
    q = result.quiz.questions[0]
    assert q.text == "Q?\n\n- context one\n- context two"
    assert options_of(q) == [("yes", CORRECT), ("no", INCORRECT)]
    assert q.explanation == "- reason one\n- reason two"


def test_question_without_correct_option_is_one_error():
    text = "# T\n\n## Task 1\n\n**Q?**\n\n* ❌ a\n* ❌ b\n"
    problem = single_error(parse(text.encode()))
    assert problem.line == 3
    assert (problem.code, problem.params) == (Code.SEED_NO_CORRECT, {"label": "Task 1"})


def test_partial_only_question_is_an_error_too():
    text = "# T\n\n## Task 1\n\n**Q?**\n\n* ⚠️ a\n* ❌ b\n"
    assert single_error(parse(text.encode())).code == Code.SEED_NO_CORRECT


def test_invalid_utf8_that_is_not_cp1251_reports_byte_offset():
    data = "# Title\n\n## Task 1\n\n**Où est le café?**\n".encode("latin-1")
    problem = single_error(parse(data))
    assert problem.line == 5
    offset = data.index(b"\xf9")
    assert (problem.code, problem.params) == (Code.INVALID_UTF8, {"offset": offset})


def test_undefined_cp1251_byte_is_invalid_utf8():
    problem = single_error(parse(b"# T\n\x98\n"))
    assert (problem.code, problem.params) == (Code.INVALID_UTF8, {"offset": 4})
    assert problem.line == 2


def test_binary_data_with_nul_bytes_is_one_error():
    problem = single_error(parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert (problem.code, problem.params) == (Code.BINARY_NUL, {"offset": 8})


def test_binary_data_with_many_control_characters_is_one_error():
    problem = single_error(parse(bytes(range(1, 32)) * 20))
    assert problem.code == Code.BINARY_CONTROLS


# --------------------------------------------------------------------------- encodings


SIMPLE_RU = (
    "# Тест\n\n## Задание 1\n\n**Сколько будет два плюс два?**\n\n"
    "Выберите один вариант из списка:\n\n* ✅ Четыре\n* ❌ Пять\n"
)


def test_crlf_and_utf8_bom():
    data = b"\xef\xbb\xbf" + SIMPLE_RU.replace("\n", "\r\n").encode("utf-8")
    result = parse(data)
    assert result.ok, result.errors
    assert result.encoding == "utf-8-sig"
    assert result.repairs == []
    q = result.quiz.questions[0]
    assert result.quiz.title == "Тест"
    assert q.text == "Сколько будет два плюс два?"
    assert options_of(q) == [("Четыре", CORRECT), ("Пять", INCORRECT)]


def test_cp1251_file_is_decoded_and_reported():
    # cp1251 has no emoji, so a legacy file can only carry the question text;
    # the decoder must still recognise it and keep CRLF handling.
    text = SIMPLE_RU.replace("✅", "+").replace("❌", "-")
    decoded = decode(text.replace("\n", "\r\n").encode("cp1251"))
    assert decoded.error is None
    assert decoded.encoding == "cp1251"
    assert decoded.text == text
    assert decoded.repairs == []


def test_cp1251_file_reports_encoding_with_parse_problems():
    pure = "# Тест\n\nПростой вопрос про сеть и слои\n".encode("cp1251")
    result = parse(pure)
    assert result.encoding == "cp1251"
    assert single_error(result).code == Code.NO_QUESTIONS


def test_utf16_with_bom_is_decoded():
    result = parse(SIMPLE_RU.encode("utf-16"))
    assert result.ok, result.errors
    assert result.encoding == "utf-16"


# --------------------------------------------------------------------------- dialects


def test_english_headings_dash_bullets_and_numbered_sections():
    result = parse((DATA / "english_seed.md").read_bytes())
    assert result.ok, result.errors
    assert result.warnings == []
    assert result.format == "seed"
    quiz = result.quiz
    assert quiz.title == "Python basics"
    q1, q2 = quiz.questions
    assert q1.kind == MULTIPLE
    assert q1.text == "Which values are falsy?"
    assert options_of(q1) == [("`0`", CORRECT), ('`"0"`', INCORRECT), ("`[]`", CORRECT)]
    assert [o.feedback for o in q1.options] == [
        "Zero is falsy.",
        "A non-empty string is truthy.",
        "An empty list is falsy.",
    ]
    assert q1.explanation == "Empty containers and zero are falsy."
    assert q2.kind == SINGLE
    assert q2.text == (
        "What does this print?\n\n```python\nprint(2**3)\n```\n\n![diagram](images/power.png)"
    )
    assert options_of(q2) == [("6", INCORRECT), ("8", CORRECT), ("9", PARTIAL)]
    assert q2.explanation == ""


def test_sections_matched_by_text_with_emphasis_and_dash_suffix():
    text = (
        "# T\n\n## Задание 7\n\n**Q?**\n\n* ✅ Alpha beta\n* ❌ `gamma`\n\n---\n\n"
        "### Объяснение\n\nGeneral.\n\n"
        "#### ❌ **Gamma** — не подходит\n\nwhy gamma\n\n"
        "#### ✅ _Alpha beta_: подходит\n\nwhy alpha\n\n---\n"
    )
    result = parse(text.encode())
    assert result.ok and result.warnings == []
    q = result.quiz.questions[0]
    assert q.number == 7
    assert [o.feedback for o in q.options] == ["подходит\n\nwhy alpha", "не подходит\n\nwhy gamma"]
    assert q.explanation == "General."


def test_section_count_mismatch_keeps_explanation_on_question_with_warning():
    text = (
        "# T\n\n## Задание 1\n\n**Q?**\n\n* ✅ a\n* ❌ b\n* ❌ c\n\n---\n\n"
        "### Объяснение\n\nGeneral.\n\n#### ✅ 1. a\n\nfor a\n\n#### ❌ 2. b\n\nfor b\n\n---\n"
    )
    result = parse(text.encode())
    assert result.ok
    q = result.quiz.questions[0]
    assert [o.feedback for o in q.options] == ["", "", ""]
    assert q.explanation == "General.\n\n#### ✅ 1. a\n\nfor a\n\n#### ❌ 2. b\n\nfor b"
    assert len(result.warnings) == 1
    assert result.warnings[0].line == 17
    assert (result.warnings[0].code, result.warnings[0].params) == (
        Code.SEED_SECTIONS_COUNT,
        {"label": "Задание 1", "sections": 2, "options": 3},
    )


def test_unmatched_section_text_keeps_explanation_with_warning():
    # Neither numbers, nor texts, nor the verdicts in order tell which option is which.
    text = (
        "# T\n\n## Задание 1\n\n**Q?**\n\n* ✅ a\n* ❌ b\n\n### Explanation\n\n"
        "#### ❌ something else\n\nx\n\n#### ❌ b\n\ny\n"
    )
    result = parse(text.encode())
    assert result.ok
    assert (result.warnings[0].code, result.warnings[0].params) == (
        Code.SEED_SECTION_NO_MATCH,
        {"label": "Задание 1", "section": 12},
    )
    assert result.quiz.questions[0].explanation.startswith("#### ❌ something else")


def seed_question(options: str, explanation: str, instruction: str = "") -> str:
    """A one-question seed file: ``options`` and ``explanation`` are its lines, joined."""
    instruction = f"\n{instruction}\n" if instruction else ""
    return (
        f"# T\n\n## Задание 1\n\n**Q?**\n{instruction}\n{options}\n---\n\n"
        f"### Объяснение\n\nGeneral.\n\n{explanation}\n---\n"
    )


def test_single_line_sections_carry_their_text_as_feedback():
    text = seed_question(
        "* ✅ a\n* ❌ b\n* ❌ c\n",
        "#### ✅ 1. a — the right one\n#### ❌ 2. **b**: too slow\n#### ❌ **3. c**\n",
    )
    result = parse(text)
    assert result.ok and result.warnings == []
    q = result.quiz.questions[0]
    assert [o.feedback for o in q.options] == ["the right one", "too slow", ""]
    assert q.explanation == "General."


def test_heading_note_opens_a_longer_sections_feedback():
    text = seed_question(
        "* ✅ MaxPooling\n* ❌ Dense\n",
        "#### ✅ **MaxPooling — не обновляется**\n\nНет весов.\n\n"
        "#### ❌ **Dense** — **обновляется**\n\nЕсть веса.\n",
    )
    q = parse(text).quiz.questions[0]
    assert [o.feedback for o in q.options] == [
        "не обновляется\n\nНет весов.",
        "**обновляется**\n\nЕсть веса.",
    ]


def test_sections_match_options_with_brackets_code_and_markup_by_text():
    text = seed_question(
        "* ✅ Dropout (p = 0.5)\n* ❌ `torch.nn.ReLU()`\n* ⚠️ **Batch** norm, [affine]\n"
        "* ❌ Dropout (p = 0.5) with decay\n",
        "#### ❌ **torch.nn.ReLU()** — no weights\n"
        "#### ✅ Dropout (p = 0.5): yes\n\nBecause.\n\n"
        "#### ⚠️ *Batch norm* [affine] — it depends\n"
        "#### ❌ Dropout (p=0.5) with decay.\n",
    )
    result = parse(text)
    assert result.ok and result.warnings == []
    assert [o.feedback for o in result.quiz.questions[0].options] == [
        "yes\n\nBecause.",
        "no weights",
        "it depends",
        "",
    ]


def test_sections_without_numbers_or_option_texts_match_by_verdicts_in_order():
    text = seed_question(
        "* ❌ a\n* ✅ b\n* ⚠️ c\n",
        "#### ❌ Too slow.\n\nMore.\n\n#### ✅ Верно\n#### ⚠️\n\nSometimes.\n",
    )
    result = parse(text)
    assert result.ok and result.warnings == []
    q = result.quiz.questions[0]
    assert [o.feedback for o in q.options] == ["Too slow.\n\nMore.", "Верно", "Sometimes."]


def test_written_headings_add_nothing_to_the_feedback():
    long = "a long option " * 10
    quiz = parse(seed_question(f"* ✅ {long}\n* ❌ two\n  lines\n", "")).quiz
    quiz.questions[0].options[0].feedback = "why"
    written = write(quiz, "seed")
    assert f"#### ✅ 1. {long[:77].rstrip()}...\n\nwhy" in written
    assert "#### ❌ 2. two\n" in written
    options = parse(written).quiz.questions[0].options
    assert [o.feedback for o in options] == ["why", ""]


def test_instruction_with_the_authors_words_stays_in_the_question():
    worded = "Выберите один вариант, который описывает Adam:"
    q = parse(seed_question("* ✅ a\n* ✅ b\n", "", worded)).quiz.questions[0]
    assert (q.text, q.kind) == (f"Q?\n\n{worded}", SINGLE)
    q = parse(seed_question("* ✅ a\n* ❌ b\n", "", "Select all that apply:")).quiz.questions[0]
    assert (q.text, q.kind) == ("Q?", MULTIPLE)
    q = parse(seed_question("* ✅ a\n", "", "Select the statement that is false:")).quiz
    assert q.questions[0].text == "Q?\n\nSelect the statement that is false:"


def test_unknown_instruction_is_named_in_its_warning():
    result = parse(seed_question("* ✅ a\n* ❌ b\n", "", "Выберите ответ:"))
    assert result.quiz.questions[0].text == "Q?"
    [warning] = result.warnings
    assert warning.line == 7
    assert (warning.code, warning.params) == (
        Code.SEED_UNKNOWN_INSTRUCTION,
        {"label": "Задание 1", "instruction": "Выберите ответ:"},
    )


def test_instruction_absent_infers_kind_from_correct_count():
    one = "# T\n\n## Task 1\n\n**Q?**\n\n* ✅ a\n* ❌ b\n"
    two = "# T\n\n## Task 1\n\n**Q?**\n\n* ✅ a\n* ✅ b\n"
    assert parse(one.encode()).quiz.questions[0].kind == SINGLE
    assert parse(two.encode()).quiz.questions[0].kind == MULTIPLE


def test_option_continuation_lines_and_code():
    text = (
        "# T\n\n## Task 1\n\nWhich snippet prints 1?\n\n* ✅ This one:\n\n"
        "  ```python\n  print(1)\n  ```\n* ❌ None\n"
    )
    result = parse(text.encode())
    assert result.ok, result.errors
    q = result.quiz.questions[0]
    assert q.text == "Which snippet prints 1?"
    assert options_of(q) == [
        ("This one:\n\n```python\nprint(1)\n```", CORRECT),
        ("None", INCORRECT),
    ]


def test_bullets_inside_code_blocks_are_not_options_or_headings():
    text = (
        "# T\n\n## Task 1\n\n**Q?**\n\n```\n* ✅ not an option\n## Task 9\n```\n\n"
        "* ✅ real\n* ❌ fake\n"
    )
    result = parse(text.encode())
    assert result.ok
    assert len(result.quiz.questions) == 1
    assert result.quiz.questions[0].text == "Q?\n\n```\n* ✅ not an option\n## Task 9\n```"


def test_detect_format_prefers_seed_for_emoji_bullets(seed_bytes):
    assert detect_format(decode(seed_bytes).text) == "seed"
    assert detect_format("## Задание 1\n") == "seed"
    assert detect_format("### Q1\n- [ ] a\n- [x] b\n") == "tasklist"


def test_forced_format_overrides_detection():
    text = "# T\n\n### Q1. Q?\n\n- [ ] a\n- [x] b\n"
    assert parse(text, format="tasklist").ok
    forced = parse(text, format="seed")
    assert forced.format == "seed"
    assert not forced.ok


@pytest.mark.parametrize("bad", ["yaml", ""])
def test_unknown_format_name_is_a_programming_error(bad):
    from quizzes.formats import FormatError

    with pytest.raises(FormatError):
        parse(b"", format=bad)
