"""Every problem the formats package can report has words, in English and in Russian.

The package reports codes with parameters (`quizzes.formats.Code`); `quizzes.format_problems`
words them. These tests read the package's source with `ast` to find what each code is
reported with, so a new code, a renamed parameter or a missing translation fails here.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from quizzes import formats
from quizzes.format_problems import MESSAGES, NOT_IMPORTED, problem_message, shown_problems
from quizzes.formats import Code, NotImported, Problem

FORMATS_DIR = Path(formats.__file__).parent
LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)s")


def msgid(lazy) -> str:
    with translation.override(None):
        return str(lazy)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def all_msgids() -> list[str]:
    return [msgid(message) for message in [*MESSAGES.values(), *NOT_IMPORTED.values()]]


def reported_codes() -> list[tuple[str, Code, set[str]]]:
    """(where, code, parameter names) for every call in the package that passes a `Code.X`."""
    found = []
    for path in sorted(FORMATS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for arg in node.args:
                if (
                    isinstance(arg, ast.Attribute)
                    and isinstance(arg.value, ast.Name)
                    and arg.value.id == "Code"
                ):
                    assert all(k.arg for k in node.keywords), f"{path.name}:{node.lineno} uses **"
                    names = {k.arg for k in node.keywords if k.arg}
                    found.append((f"{path.name}:{node.lineno}", Code[arg.attr], names))
    return found


def test_every_code_has_a_message():
    assert set(MESSAGES) == set(Code)


def test_every_code_is_reported_somewhere_with_the_parameters_its_message_names():
    reported = reported_codes()
    assert {code for _, code, _ in reported} == set(Code)
    wrong = [
        f"{where}: {code.name} passes {sorted(names)}, its message names "
        f"{sorted(placeholders(msgid(MESSAGES[code])))}"
        for where, code, names in reported
        if names != placeholders(msgid(MESSAGES[code]))
    ]
    assert wrong == []


def test_every_message_has_a_russian_translation_with_the_same_placeholders():
    russian = polib.pofile(str(LOCALE / "ru" / "LC_MESSAGES" / "django.po"))
    english = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    for text in all_msgids():
        entry = russian.find(text)
        assert entry is not None and entry.msgstr.strip(), f"no Russian for {text!r}"
        assert "fuzzy" not in entry.flags, text
        assert placeholders(entry.msgstr) == placeholders(text), text
        assert english.find(text) is not None, f"not in the English catalog: {text!r}"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_message_can_be_worded_in_both_languages(language):
    with translation.override(language):
        for code, message in MESSAGES.items():
            params = {name: f"<{name}>" for name in placeholders(msgid(message))}
            worded = problem_message(Problem(3, code, params))
            assert "%(" not in worded and all(value in worded for value in params.values())
            assert "\n" not in worded


def test_a_problem_is_worded_in_the_active_language():
    [error] = formats.parse("# Quiz\n\n## Задание 1\n\nВопрос?\n").errors
    assert error.code == Code.SEED_NO_OPTIONS
    with translation.override("ru"):
        assert problem_message(error) == (
            "у «Задание 1» нет вариантов (ожидаются пункты вроде «* ✅ ответ»)"
        )
        assert str(shown_problems([error])[0]).startswith("строка 3: у «Задание 1»")
    with translation.override("en"):
        assert problem_message(error) == (
            "'Задание 1' has no options (expected bullets like '* ✅ answer')"
        )
        assert str(shown_problems([error])[0]).startswith("line 3: 'Задание 1' has")


def test_skipped_lines_are_named_and_quoted_in_either_language():
    skipped = Problem(3, Code.TASKLIST_QUESTION_SKIPPED, {}, NotImported(3, 6, "#### Q1. a) b)"))
    one = Problem(3, Code.TASKLIST_QUESTION_SKIPPED, {}, NotImported(3, 3, "#### Q1."))
    with translation.override("ru"):
        assert problem_message(skipped) == (
            "вопрос без вариантов «- [ ]» / «- [x]» пропущен; строки 3–6 не импортированы: "
            "«#### Q1. a) b)»"
        )
        assert problem_message(one).endswith("; строка 3 не импортирована: «#### Q1.»")
    with translation.override("en"):
        assert problem_message(skipped) == (
            "question without '- [ ]' / '- [x]' options: skipped; lines 3–6 not imported: "
            "'#### Q1. a) b)'"
        )


def test_an_unrecognised_file_is_told_both_formats_with_an_example_of_each():
    [error] = formats.parse("# Quiz\n\nQ1) Which one?\n\na) this\nb) that\n").errors
    with translation.override("ru"):
        message = problem_message(error)
    assert message.startswith("вопросы не найдены.")
    for example in ("«## Задание 1»", "«* ✅ ответ»", "«### Q1. Вопрос»", "«## Q1»", "«**1.**"):
        assert example in message
    assert "«- [x] ответ»" in message
