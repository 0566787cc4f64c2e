"""Sample files for the import page: one small quiz, written in each format by the exporter.

Written by `formats.write` from one ParsedQuiz rather than kept as files, so a sample always
parses (a test imports each) and follows any change to a format. Its words are in the
reader's language; the formats' own structural words (seed headings) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from quizzes import formats
from quizzes.formats.model import FULL, INVITE, THANKS


def sample_quiz() -> formats.ParsedQuiz:
    """Two questions that show what a file can hold: verdicts of all three kinds, feedback,
    explanations with code, a multiple-choice question and the settings line."""
    return formats.ParsedQuiz(
        title=gettext("Sample quiz"),
        description=gettext(
            "A short description of the quiz. Every text is markdown: **bold**, `code`, "
            "lists, tables."
        ),
        questions=[_single_choice(), _multiple_choice()],
        settings=formats.QuizSettings(
            access=INVITE,
            review_after_attempt=THANKS,
            review_after_close=FULL,
            time_limit=10 * 60,
        ),
    )


def _single_choice() -> formats.ParsedQuestion:
    return formats.ParsedQuestion(
        text=gettext("Which keyword defines a function in Python?"),
        kind=formats.SINGLE,
        options=[
            formats.ParsedOption(
                "`def`", formats.CORRECT, gettext("Right: `def` starts a function definition.")
            ),
            formats.ParsedOption("`function`", formats.INCORRECT, gettext("That is JavaScript.")),
            formats.ParsedOption(
                "`lambda`",
                formats.PARTIAL,
                gettext("It makes a function too, but only an anonymous one of one expression."),
            ),
        ],
        explanation=gettext("A function is defined with `def`, its name and its parameters."),
        number=1,
    )


def _multiple_choice() -> formats.ParsedQuestion:
    code = "```python\nt = (1, 2)\nt[0] = 3  # TypeError\n```"
    return formats.ParsedQuestion(
        text=gettext("Which of these values are immutable?"),
        kind=formats.MULTIPLE,
        options=[
            formats.ParsedOption("`(1, 2)`", formats.CORRECT),
            formats.ParsedOption('`"ab"`', formats.CORRECT),
            formats.ParsedOption(
                "`[1, 2]`", formats.INCORRECT, gettext("A list can be changed in place.")
            ),
        ],
        explanation=gettext("A tuple and a string cannot be changed after they are created:")
        + "\n\n"
        + code,
        number=2,
    )


def sample_file(format: str) -> str:
    """The sample quiz as a file of `format` (one of formats.FORMATS)."""
    return formats.write(sample_quiz(), format)


# What the import page says about the formats. Here rather than in the template: the verdict
# icons in them are file syntax, and templates show verdicts only through `verdict_label`.
def formats_intro() -> str:
    return gettext(
        "Both formats start with the quiz title as a “# ” heading, then an optional line of "
        "quiz settings and the description. Every text is markdown. A question with more "
        "than one ✅ is multiple choice."
    )


@dataclass(frozen=True)
class FormatGuide:
    format: str
    name: str
    description: str
    sample: str


def format_guides() -> list[FormatGuide]:
    """Each format's name, what its files look like, and its sample, for the import page."""
    return [
        FormatGuide(
            formats.SEED,
            gettext("Seed (✅ ❌ ⚠️)"),
            gettext(
                "A “## Задание N” heading per question; its options as a list, each marked ✅ "
                "correct, ❌ wrong or ⚠️ acceptable with a caveat; then “### Объяснение” with "
                "the explanation and a “#### ✅ N. option” section per option holding its "
                "feedback."
            ),
            sample_file(formats.SEED),
        ),
        FormatGuide(
            formats.TASKLIST,
            gettext("Task list (- [x])"),
            gettext(
                "A “### Q1.” heading per question; its options as task-list items: “- [x]” "
                "correct, “- [ ]” wrong, “- [~]” acceptable with a caveat; an option's feedback "
                "is a quote (“>”) indented under it; the paragraphs after the options are the "
                "explanation."
            ),
            sample_file(formats.TASKLIST),
        ),
    ]
