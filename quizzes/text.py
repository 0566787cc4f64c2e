"""Authored markdown in one stored shape, whatever it was typed or imported with (no Django).

Every way text comes in (the admin's forms, the importer, and any later API) passes the
markdown fields through `normalize_markdown`, so the same words are stored the same way:
a browser's CRLF line breaks or an editor's trailing spaces never count as a change, never
show up in History, and never reach an exporter that cannot carry them.

What is noise, and what is kept:

- Line breaks become LF (CRLF from browsers, a lone CR from old Mac files).
- Whitespace at the end of a line is dropped, except two or more spaces before a line that
  has text: that is a markdown hard line break, which is kept as exactly two spaces.
  (Rewriting it as a backslash break would change code blocks, where a backslash is
  literal, and would need a markdown parser here; two spaces mean the same everywhere.)
- Blank lines and whitespace at the start and end of the whole text are dropped, as form
  fields and both file formats always did: the first line's indentation is not kept.

Everything else (tabs inside lines, blank lines between paragraphs, any character) is kept.

A code block left open is not noise to remove but a mistake to show (`unclosed_fence`): it
runs to the end of the text, and no file format can carry it.
"""

from __future__ import annotations

import dataclasses
import re

from quizzes.formats import ParsedQuestion, ParsedQuiz
from quizzes.formats._markdown import FenceTracker

_LINE_BREAK = re.compile(r"\r\n?")
HARD_BREAK = "  "


def normalize_markdown(text: str) -> str:
    """The stored shape of an authored markdown text (see the module docstring)."""
    lines = _LINE_BREAK.sub("\n", text).split("\n")
    kept = []
    for index, line in enumerate(lines):
        stripped = line.rstrip(" \t")
        following = lines[index + 1] if index + 1 < len(lines) else ""
        hard_break = line[len(stripped) :].endswith(HARD_BREAK) and following.strip()
        kept.append(stripped + HARD_BREAK if stripped and hard_break else stripped)
    return "\n".join(kept).strip()


def unclosed_fence(text: str) -> tuple[int, str] | None:
    """The line number and the marker (```) of a code fence the text never closes."""
    tracker, opened = FenceTracker(), 0
    for number, line in enumerate(text.split("\n"), start=1):
        was_inside = tracker.inside
        tracker.feed(line)
        if tracker.inside and not was_inside:
            opened = number
    return (opened, tracker.marker) if tracker.marker is not None else None


def normalized_quiz(quiz: ParsedQuiz) -> ParsedQuiz:
    """A parsed file's quiz with every markdown text in its stored shape."""
    return dataclasses.replace(
        quiz,
        description=normalize_markdown(quiz.description),
        questions=[_normalized_question(question) for question in quiz.questions],
    )


def _normalized_question(question: ParsedQuestion) -> ParsedQuestion:
    return dataclasses.replace(
        question,
        text=normalize_markdown(question.text),
        explanation=normalize_markdown(question.explanation),
        options=[
            dataclasses.replace(
                option,
                text=normalize_markdown(option.text),
                feedback=normalize_markdown(option.feedback),
            )
            for option in question.options
        ],
    )
