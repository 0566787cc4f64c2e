"""What the format writers share: validation, the title block and option bullets."""

from __future__ import annotations

from . import _markdown as md
from .model import KINDS, VERDICTS, ParsedQuiz
from .settings import settings_problem, settings_tokens
from .structure import BANK_LINE, section_line, structure_problem


def validate_quiz(quiz: ParsedQuiz) -> None:
    """Raise ValueError for content no markdown format can carry losslessly."""
    if "\n" in quiz.title or "\r" in quiz.title:
        raise ValueError("the quiz title must be a single line")
    if quiz.settings is not None and (problem := settings_problem(quiz.settings)):
        raise ValueError(f"quiz settings: {problem}")
    if problem := structure_problem(quiz):
        raise ValueError(problem)
    texts = [("description", quiz.description)]
    for n, q in enumerate(quiz.questions, 1):
        if q.kind not in KINDS:
            raise ValueError(f"question {n}: unknown kind {q.kind!r}")
        if q.number is not None and q.number < 0:
            raise ValueError(f"question {n}: the number must be non-negative")
        if not q.text.strip():
            raise ValueError(f"question {n}: the text is empty")
        if not q.options and q.published:
            # A draft may wait for its options (questions added on the quiz page do).
            raise ValueError(f"question {n}: no options")
        texts += [(f"question {n} text", q.text), (f"question {n} explanation", q.explanation)]
        for k, o in enumerate(q.options, 1):
            if o.verdict not in VERDICTS:
                raise ValueError(f"question {n} option {k}: unknown verdict {o.verdict!r}")
            if not o.text.strip():
                raise ValueError(f"question {n} option {k}: the text is empty")
            texts += [
                (f"question {n} option {k}", o.text),
                (f"question {n} feedback {k}", o.feedback),
            ]
    for what, text in texts:
        if "\r" in text:
            raise ValueError(f"{what}: carriage returns are not supported")
        if not md.fences_balanced(text):
            raise ValueError(f"{what}: a code fence is not closed")


def preamble_lines(quiz: ParsedQuiz, structural: md.Predicate) -> list[str]:
    """The "# title" line, the settings line and the escaped description opening every file."""
    out = ["# " + quiz.title.strip() if quiz.title.strip() else "#"]
    if quiz.bank:
        out += ["", BANK_LINE]
    if quiz.settings is not None:
        out += ["", md.meta_line(settings_tokens(quiz.settings))]
    if quiz.sections:
        out += ["", *(section_line(section) for section in quiz.sections)]
    if quiz.description.strip():
        out += ["", md.escape_text(quiz.description.strip(), structural)]
    return out


def item_lines(bullet: str, text: str, structural: md.Predicate) -> list[str]:
    """An option as a list item: the bullet and first line, then two-space continuation.

    A text that opens with a code fence starts on the line after the bullet, indented like
    the rest of it.
    """
    lines = md.escape_text(text.strip(), structural).split("\n")
    if md.is_fence_line(lines[0]):
        lines.insert(0, "")
    first, rest = lines[0], lines[1:]
    out = [f"{bullet} {first}" if first else bullet]
    out += ["  " + line if line else "" for line in rest]
    return out
