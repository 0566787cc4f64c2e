"""Sections, draw rules and question tags in a file: the quizsite comments both formats share.

A quiz's sections follow its settings line, one comment each, in order::

    <!-- quizsite: section | Основы -->
    <!-- quizsite: section draw=3 bank=dl-basics tag=cnn | Случайные вопросы -->

Before the ``|`` come the draw rule's tokens (``draw=`` the number of questions drawn,
``bank=`` the bank's slug, ``tag=`` the tag drawn from); after it the section's title, as
written (one line, without ``>``). A question's own comment (after its heading) may say
which fixed section it is in (``section=2``, counted from 1), its tags (``tag=``, one token
each) and ``retired``.

Values are percent-encoded, capital letters included (``CNN`` is ``%43%4E%4E``), so that
they survive the comments' case-insensitive reading: lower-case names read as written.
Files without these comments have no sections: the quiz is one fixed section, as before.

A question bank is written as a quiz whose title is followed by ``<!-- quizsite:
question-bank -->``: its questions with their tags and retirement (no description,
settings or sections: importing a bank ignores them).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from .model import ParsedQuestion, ParsedQuiz, ParsedSection

SECTION_RE = re.compile(
    r"^<!--[ \t]*quizsite:[ \t]*section(?:[ \t]+(?P<tokens>[^|>]*?))?[ \t]*"
    r"(?:\|[ \t]*(?P<title>.*?))?[ \t]*-->[ \t]*$",
    re.IGNORECASE,
)
_PLAIN = re.compile(r"[a-z0-9_.-]")


def encode(value: str) -> str:
    """The value as a token: percent-encoded but for lower-case letters, digits and ``_.-``."""
    return "".join(
        char if _PLAIN.fullmatch(char) else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in value
    )


def decode(token: str) -> str | None:
    """The value a token encodes, or None when it is not a valid encoding."""
    try:
        return unquote(token, errors="strict")
    except UnicodeDecodeError:
        return None


BANK_TOKEN = "question-bank"
BANK_LINE = f"<!-- quizsite: {BANK_TOKEN} -->"


def section_line(section: ParsedSection) -> str:
    tokens = ["section"]
    if section.draw is not None:
        tokens.append(f"draw={section.draw}")
    if section.bank:
        tokens.append(f"bank={encode(section.bank)}")
    if section.tag:
        tokens.append(f"tag={encode(section.tag)}")
    title = f" | {section.title}" if section.title else ""
    return f"<!-- quizsite: {' '.join(tokens)}{title} -->"


def parse_section(line: str) -> ParsedSection | None:
    """The section a line states; None when the line is no section comment or is malformed."""
    m = SECTION_RE.match(line.strip())
    if not m:
        return None
    section = ParsedSection(title=(m.group("title") or "").strip())
    for token in (m.group("tokens") or "").split():
        key, sep, value = token.partition("=")
        if not sep:
            return None
        if key.lower() == "draw" and value.isdigit():
            section.draw = int(value)
        elif key.lower() in {"bank", "tag"} and (decoded := decode(value)):
            setattr(section, key.lower(), decoded)
        else:
            return None
    return section


def question_tokens(question: ParsedQuestion) -> list[str]:
    """The tokens a question's comment needs for its section, tags and retirement."""
    tokens = [] if question.section is None else [f"section={question.section}"]
    tokens += [f"tag={encode(tag)}" for tag in question.tags]
    return [*tokens, "retired"] if question.retired else tokens


def read_question_tokens(question: ParsedQuestion, tokens: set[str]) -> None:
    """Set the question's section, tags and retirement from its comment's tokens."""
    tags = []
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep and key == "section" and value.isdigit():
            question.section = int(value)
        elif sep and key == "tag" and (decoded := decode(value)):
            tags.append(decoded)
    question.tags = sorted(tags)
    question.retired = "retired" in tokens


def structure_problem(quiz: ParsedQuiz) -> str | None:
    """Why the quiz's sections and tags cannot be written losslessly, or None."""
    if quiz.bank and (quiz.sections or quiz.settings is not None or quiz.description):
        return "a question bank has no description, settings or sections"
    for n, section in enumerate(quiz.sections, 1):
        title = section.title
        if title != title.strip() or "\n" in title or ">" in title:
            return f"section {n}: the title must be one line without surrounding spaces or >"
        if (section.draw is None) != (not section.bank) or (section.tag and not section.bank):
            return f"section {n}: a draw needs a number and a bank, a tag needs a bank"
        if section.draw is not None and section.draw < 1:
            return f"section {n}: draws at least one question"
    fixed = {n for n, section in enumerate(quiz.sections, 1) if section.draw is None}
    for n, question in enumerate(quiz.questions, 1):
        if question.section is not None and question.section not in fixed:
            return f"question {n}: section {question.section} is not a fixed section of the quiz"
        if question.tags != sorted(set(question.tags)) or not all(question.tags):
            return f"question {n}: tags must be distinct, non-empty and sorted"
    return None
