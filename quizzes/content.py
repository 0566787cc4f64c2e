"""The revision content: the typed, immutable record of a quiz exactly as candidates saw it.

A `QuizRevision` stores this as JSON. Services write it once, and everything that reviews,
grades, regrades, exports or analyses an attempt reads it back through these types, never
through the live questions. Pure Python: no ORM, so it is cheap to test and to reason about.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import NotRequired, TypedDict

from quizzes import grading


class OptionContent(TypedDict):
    id: int
    text: str
    verdict: str  # a grading.Verdict value
    feedback: str
    # Each markdown text's sanitized HTML, rendered when it was written: pages never render.
    text_html: str
    feedback_html: str


class QuestionContent(TypedDict):
    id: int
    text: str
    kind: str  # a grading.Kind value
    explanation: str
    # Decimals as strings: JSON has no exact decimal type.
    points: str
    partial_fraction: str
    strategy: str  # a grading.Strategy value, the quiz's unless the question overrides it
    options: list[OptionContent]
    text_html: str
    explanation_html: str


class SectionContent(TypedDict):
    title: str
    questions: list[int]  # ids of the questions the section presents, in authoring order


class RevisionContent(TypedDict):
    title: str
    description: str
    # Every question presented, section after section: for a drawn section only the drawn ones.
    questions: list[QuestionContent]
    description_html: str
    # Absent for a quiz of one untitled fixed section (every quiz before sections existed).
    sections: NotRequired[list[SectionContent]]


class Layout(TypedDict):
    """The order one attempt presents its revision in: drawn at start, never redrawn."""

    questions: list[int]
    # Question id (as a string: JSON object keys) -> option ids in presented order.
    options: dict[str, list[int]]


class PresentedQuestion(QuestionContent):
    """A question as one attempt presents it: numbered, options in the drawn order."""

    number: int
    section: str  # the title of its section; empty for an untitled one


def content_hash(content: RevisionContent) -> str:
    """The identity of a revision: identical content shares one row.

    Only the source counts: the stored HTML follows from it (and is re-made when the
    renderer changes), so a new renderer does not make a new revision.
    """
    return hashlib.sha256(
        json.dumps(_source(content), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _source(value):
    if isinstance(value, dict):
        return {k: _source(v) for k, v in value.items() if not k.endswith("_html")}
    if isinstance(value, list):
        return [_source(item) for item in value]
    return value


def introduces_options(explanation: str) -> bool:
    """Whether the explanation ends by introducing the options ("Рассмотрим каждый
    вариант:"): their feedback then reads as its continuation, so it comes first."""
    lines = [line for line in explanation.splitlines() if line.strip()]
    return bool(lines) and lines[-1].strip().rstrip("*_ ").endswith((":", "："))


def section_groups(content: RevisionContent) -> list[tuple[str, list[int]]]:
    """(title, question ids) of each section, in order; one untitled group without sections."""
    if "sections" in content:
        return [(section["title"], list(section["questions"])) for section in content["sections"]]
    return [("", [question["id"] for question in content["questions"]])]


def max_score(content: RevisionContent) -> Decimal:
    return sum((Decimal(question["points"]) for question in content["questions"]), Decimal(0))


def question_by_id(content: RevisionContent, question_id: int) -> QuestionContent | None:
    return next((q for q in content["questions"] if q["id"] == question_id), None)


def presented_questions(content: RevisionContent, layout: Layout) -> list[PresentedQuestion]:
    """The revision's questions in the layout's order, numbered from 1."""
    by_id = {question["id"]: question for question in content["questions"]}
    sections = {qid: title for title, ids in section_groups(content) for qid in ids}
    presented: list[PresentedQuestion] = []
    for number, question_id in enumerate(layout["questions"], start=1):
        question = by_id[question_id]
        options = {option["id"]: option for option in question["options"]}
        presented.append(
            {
                **question,
                "number": number,
                "section": sections.get(question_id, ""),
                "options": [options[i] for i in layout["options"][str(question_id)]],
            }
        )
    return presented


def gradable_questions(content: RevisionContent) -> list[grading.GradableQuestion]:
    """The revision as the pure grader takes it."""
    return [
        grading.GradableQuestion(
            id=question["id"],
            kind=grading.Kind(question["kind"]),
            options=tuple(
                grading.GradableOption(id=option["id"], verdict=grading.Verdict(option["verdict"]))
                for option in question["options"]
            ),
            points=Decimal(question["points"]),
            strategy=grading.Strategy(question["strategy"]),
            partial_fraction=Decimal(question["partial_fraction"]),
        )
        for question in content["questions"]
    ]


def option_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: how statistics and exports name options by position."""
    label = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        label = chr(ord("A") + remainder) + label
    return label
