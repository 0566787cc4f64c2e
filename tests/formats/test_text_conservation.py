"""Every author's word in an imported file is stored, or a warning names its line.

Files are generated in both formats from words that each occur once in the file, so a word
found anywhere in the parsed quiz can only have come from its own line. The words are made
of consonants, so they never spell the formats' own vocabulary (headings, instructions,
markers), which is the structure the parsers may strip.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.formats import ParseResult, decode, parse

from ._paths import CORPUS_DIR, REPO_ROOT, SEED_FILE, require_shared

LETTERS = "bcdfghklmnpqrstvwxzбвгджзклмнпрстфхцчшщ"
WORD_RE = re.compile(r"[^\W\d_]+")
EMOJI = {"correct": "✅", "incorrect": "❌", "partial": "⚠️"}
# How an author may dress a word: emphasis, code spans, brackets, punctuation.
DRESSES = ["{}", "{}", "({})", "[{}]", "`{}`", "**{}**", "*{}*", "{},", "{}.", "«{}»", "{}:"]


def words_of(text: str) -> list[str]:
    return WORD_RE.findall(text.casefold())


class Words:
    """Draws words that occur only once in the file being generated."""

    def __init__(self, draw) -> None:
        self.draw = draw
        self.used: set[str] = set()

    def word(self) -> str:
        new = self.draw(
            st.text(LETTERS, min_size=3, max_size=6).filter(lambda w: w not in self.used)
        )
        self.used.add(new)
        return new

    def phrase(self, most: int = 4, plain: bool = False) -> str:
        count = self.draw(st.integers(1, most))
        dresses = ["{}"] if plain else DRESSES
        return " ".join(
            self.draw(st.sampled_from(dresses)).format(self.word()) for _ in range(count)
        )


def stored_words(result: ParseResult) -> set[str]:
    quiz = result.quiz
    assert quiz is not None
    fields = [quiz.title, quiz.description]
    for q in quiz.questions:
        fields += [q.text, q.explanation]
        fields += [part for o in q.options for part in (o.text, o.feedback)]
    return {word for field in fields for word in words_of(field)}


def named_lines(result: ParseResult) -> set[int]:
    named = set()
    for warning in result.warnings:
        if warning.line is not None:
            named.add(warning.line)
        if (skipped := warning.not_imported) is not None:
            named.update(range(skipped.first, skipped.last + 1))
    return named


def assert_conserved(text: str, result: ParseResult, authored: set[str]) -> None:
    assert result.ok, (result.errors, text)
    stored, named = stored_words(result), named_lines(result)
    for number, line in enumerate(text.split("\n"), 1):
        lost = [w for w in words_of(line) if w in authored and w not in stored]
        assert not lost or number in named, f"line {number} {line!r} lost {lost}\n\n{text}"


# --------------------------------------------------------------------------- seed files


def section_heading(draw, words: Words, style: str, n: int, option: tuple[str, str]) -> str:
    """A per-option heading in one of the ways authors write them; ``option`` is (verdict, text)."""
    verdict, text = option
    # The option's own words, re-dressed: headings rarely copy the option's markup.
    named = draw(st.sampled_from([text, " ".join(words_of(text)), f"**{text}**"]))
    note = words.phrase(3) if draw(st.booleans()) else ""
    if style == "verdicts":
        named = ""
    joint = draw(st.sampled_from([" — ", ": ", " - "]))
    title = joint.join(part for part in (named, note) if part)
    if style == "numbers":
        title = draw(st.sampled_from([f"{n}. {title}", f"**{n}. {title}**", f"{n}) {title}"]))
    elif draw(st.booleans()) and named and note:
        title = f"**{named}**{joint}{note}"
    return f"#### {EMOJI[verdict]} {title}".rstrip()


def seed_sections(draw, words: Words, options: list[tuple[str, str]]) -> list[str]:
    style = draw(st.sampled_from(["numbers", "texts", "verdicts"]))
    order = list(range(len(options)))
    if style == "texts":
        order = draw(st.permutations(order))
    out = []
    for k in order:
        out += ["", section_heading(draw, words, style, k + 1, options[k])]
        # A section may be its heading alone; its words must then be the feedback.
        for _ in range(draw(st.integers(0, 2))):
            out += ["", words.phrase()]
    return out


def seed_instruction(draw, words: Words, correct: int) -> list[str]:
    standard = (
        "Выберите все подходящие ответы из списка:"
        if correct > 1
        else ("Выберите один вариант из списка:")
    )
    choice = draw(st.sampled_from(["standard", "none", "worded", "unknown"]))
    if choice == "none":
        return []
    if choice == "worded":
        return ["", f"{standard.rstrip(':')}, {words.phrase(plain=True)}:"]
    if choice == "unknown":
        return ["", f"Выберите {words.phrase(plain=True)}"]
    return ["", standard]


def seed_question(draw, words: Words, n: int) -> list[str]:
    verdicts = draw(st.lists(st.sampled_from(list(EMOJI)), min_size=1, max_size=4))
    verdicts[draw(st.integers(0, len(verdicts) - 1))] = "correct"
    options = [(verdict, words.phrase()) for verdict in verdicts]
    out = [
        "",
        f"## Задание {n}",
        "",
        draw(st.sampled_from(["**{}**", "{}"])).format(words.phrase()),
    ]
    if draw(st.booleans()):
        out += ["", words.phrase()]
    out += seed_instruction(draw, words, verdicts.count("correct"))
    out += [""] + [f"* {EMOJI[verdict]} {text}" for verdict, text in options]
    if draw(st.booleans()):
        return out
    out += ["", "---", "", "### Объяснение"]
    if draw(st.booleans()):
        out += ["", words.phrase()]
    if draw(st.booleans()):
        out += seed_sections(draw, words, options)
    return [*out, "", "---"]


@st.composite
def seed_files(draw) -> tuple[str, set[str]]:
    words = Words(draw)
    out = [f"# {words.phrase(plain=True)}"]
    if draw(st.booleans()):
        out += ["", words.phrase()]
    for n in range(1, draw(st.integers(1, 3)) + 1):
        out += seed_question(draw, words, n)
    return "\n".join(out) + "\n", words.used


# --------------------------------------------------------------------------- task-list files


# The question heading styles real files use; one file keeps to one.
HEADINGS = ["#### Q{}. ", "### Q{}. ", "## Q{} ", "#### {}) ", "**{}.** ", "**Q{}.** "]


def tasklist_question(draw, words: Words, n: int, heading: str) -> list[str]:
    out = ["", heading.format(n) + words.phrase()]
    if draw(st.booleans()):
        out += ["", words.phrase()]
    if draw(st.integers(0, 4)) == 0:
        # No checkbox options: the question cannot be imported.
        return [*out, "", f"a) {words.phrase()}", f"b) {words.phrase()}"]
    out.append("")
    for k in range(draw(st.integers(1, 4))):
        mark = "x" if k == 0 else draw(st.sampled_from(" xX~"))
        out.append(f"- [{mark}] {words.phrase()}")
        if draw(st.booleans()):
            out += ["", f"  > {words.phrase()}", ""]
    if draw(st.booleans()):
        out += ["", words.phrase()]
    return out


@st.composite
def tasklist_files(draw) -> tuple[str, set[str]]:
    words = Words(draw)
    heading = draw(st.sampled_from(HEADINGS))
    out = [f"## {words.phrase(plain=True)}"]
    if draw(st.booleans()):
        out += ["", words.phrase()]
    out += tasklist_question(draw, words, 1, heading)
    # The file needs one importable question; the others may be anything.
    out += ["", heading.format(0) + "first", "", "- [x] yes", "- [ ] no"]
    for n in range(2, draw(st.integers(2, 4))):
        out += tasklist_question(draw, words, n, heading)
    return "\n".join(out) + "\n", words.used


# --------------------------------------------------------------------------- the property


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=seed_files())
def test_seed_import_keeps_every_word_or_names_its_line(file):
    text, authored = file
    result = parse(text, format="seed")
    assert_conserved(text, result, authored)
    # However the sections are written, each finds its option rather than staying in one block.
    assert all("####" not in q.explanation for q in result.quiz.questions), text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=tasklist_files())
def test_tasklist_import_keeps_every_word_or_names_its_line(file):
    text, authored = file
    result = parse(text, format="tasklist")
    assert_conserved(text, result, authored)
    # Whatever the heading style, questions are found as questions.
    assert [(q.text, len(q.options)) for q in result.quiz.questions if q.number == 0] == [
        ("first", 2)
    ], text


# --------------------------------------------------------------------------- real files

# The words the formats' own structure is made of: question headings and their "Q1"/"D1"
# prefixes, checkboxes, the explanation heading, instruction lines, the settings comment.
STRUCTURE = {"q", "d", "x", "задание", "объяснение", "quizsite", "practice"}
STRUCTURE |= set(words_of("Выберите все подходящие ответы из списка: один вариант"))


def test_real_files_keep_every_word_or_name_its_line():
    fixture = REPO_ROOT / "fixtures" / "dl-nlp-cv.ru.md"
    paths = [require_shared(SEED_FILE), fixture, *sorted(require_shared(CORPUS_DIR).glob("*/*.md"))]
    for path in paths:
        data = path.read_bytes()
        text = decode(data).text
        words = set(words_of(text)) - STRUCTURE
        assert_conserved(text, parse(data), words)
