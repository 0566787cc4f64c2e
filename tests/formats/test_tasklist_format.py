"""Behaviour of the GitHub task-list format parser."""

from __future__ import annotations

import pytest

from quizzes.formats import (
    CORRECT,
    INCORRECT,
    MULTIPLE,
    PARTIAL,
    SINGLE,
    Code,
    NotImported,
    detect_format,
    parse,
)

from ._paths import CORPUS_DIR, require_shared


def options_of(question):
    return [(o.text, o.verdict) for o in question.options]


def parse_ok(text: str):
    result = parse(text.encode("utf-8"))
    assert result.ok, result.errors
    assert result.format == "tasklist"
    return result


BASIC = """\
## Django

Some words about the quiz.

#### Q1. In which language is Django written?

- [ ] C++
- [x] Python
- [ ] Ruby

#### Q12. Which are HTTP methods?

- [x] GET
- [ ] FETCH
- [X] POST

**Explanation:** GET and POST are methods.

[Reference](https://example.com/http)
"""


def test_title_description_numbers_and_kinds():
    quiz = parse_ok(BASIC).quiz
    assert quiz.title == "Django"
    assert quiz.description == "Some words about the quiz."
    q1, q2 = quiz.questions
    assert (q1.number, q1.text, q1.kind, q1.line) == (
        1,
        "In which language is Django written?",
        SINGLE,
        5,
    )
    assert options_of(q1) == [("C++", INCORRECT), ("Python", CORRECT), ("Ruby", INCORRECT)]
    assert [o.line for o in q1.options] == [7, 8, 9]
    assert (q2.number, q2.kind) == (12, MULTIPLE)
    assert options_of(q2) == [("GET", CORRECT), ("FETCH", INCORRECT), ("POST", CORRECT)]


def test_text_after_options_is_the_explanation():
    q1, q2 = parse_ok(BASIC).quiz.questions
    assert q1.explanation == ""
    assert q2.explanation == (
        "**Explanation:** GET and POST are methods.\n\n[Reference](https://example.com/http)"
    )


def test_question_body_with_code_and_image_and_any_prefix():
    text = (
        "# Git\n\n### D3. Describe what these commands do:\n\n```bash\n"
        "git reset --hard HEAD~5\n# - [x] not an option\n```\n\n![graph](img/graph.png)\n\n"
        "- [x] They reset\n- [ ] They delete\n"
    )
    q = parse_ok(text).quiz.questions[0]
    assert q.number == 3
    assert q.text == (
        "Describe what these commands do:\n\n```bash\ngit reset --hard HEAD~5\n"
        "# - [x] not an option\n```\n\n![graph](img/graph.png)"
    )
    assert options_of(q) == [("They reset", CORRECT), ("They delete", INCORRECT)]


def test_code_fence_after_an_option_belongs_to_that_option():
    text = (
        "## JSON\n\n#### Q2. Which is valid?\n\n- [ ] A\n\n```json\n{'a': 1}\n```\n\n"
        '- [x] B\n\n```json\n{"a": 1}\n```\n\n- [ ] C\n\n  ```\n  indented\n  ```\n'
    )
    q = parse_ok(text).quiz.questions[0]
    assert options_of(q) == [
        ("A\n\n```json\n{'a': 1}\n```", INCORRECT),
        ('B\n\n```json\n{"a": 1}\n```', CORRECT),
        ("C\n\n```\nindented\n```", INCORRECT),
    ]
    assert q.explanation == ""


def test_question_without_checked_option_is_a_draft_with_warning():
    text = (
        "## After Effects\n\n#### D1. Which light casts no shadow?\n\n"
        "- [ ] Parallel\n- [ ] Ambient\n"
    )
    result = parse_ok(text)
    q = result.quiz.questions[0]
    assert q.published is False
    assert [o.verdict for o in q.options] == [INCORRECT, INCORRECT]
    assert len(result.warnings) == 1
    assert result.warnings[0].line == 3
    assert result.warnings[0].code == Code.TASKLIST_DRAFT


def test_question_without_options_is_skipped_with_warning():
    text = (
        "## ML\n\n#### Q1. Lettered options?\n\na) one\nb) two\n\n"
        "#### Q2. Real?\n\n- [x] yes\n- [ ] no\n"
    )
    result = parse(text)
    assert result.ok
    assert [q.number for q in result.quiz.questions] == [2]
    [warning] = result.warnings
    assert warning.line == 3
    # Nothing of the question is stored, so the warning names every line and quotes it.
    assert warning.code == Code.TASKLIST_QUESTION_SKIPPED
    assert warning.not_imported == NotImported(3, 6, "#### Q1. Lettered options? a) one b) two")


def test_long_skipped_question_is_quoted_in_part():
    text = "## ML\n\n#### Q1. Lettered\n\n" + "word " * 30 + "\n\n#### Q2. Real?\n\n- [x] yes\n"
    [warning] = parse(text).warnings
    skipped = warning.not_imported
    assert (skipped.first, skipped.last) == (3, 5)
    assert skipped.words.startswith("#### Q1. Lettered word word")
    assert skipped.words.endswith("…")
    assert len(skipped.words) == 60


def test_empty_option_is_ignored_with_warning():
    result = parse("## Git\n\n#### Q1. Pick\n\n- [x] a\n- [ ] b\n- [ ]\n")
    assert options_of(result.quiz.questions[0]) == [("a", CORRECT), ("b", INCORRECT)]
    assert [(w.line, w.code) for w in result.warnings] == [(7, Code.TASKLIST_EMPTY_OPTION)]


def test_partial_marker_and_feedback_blockquote_extensions():
    text = (
        "# Quiz\n\n### Q1. Pick\n\n- [x] right\n\n  > because it is right\n  >\n  > really\n\n"
        "- [~] half\n- [ ] wrong\n  still the wrong option\n"
    )
    q = parse_ok(text).quiz.questions[0]
    assert options_of(q) == [
        ("right", CORRECT),
        ("half", PARTIAL),
        ("wrong\nstill the wrong option", INCORRECT),
    ]
    assert q.options[0].feedback == "because it is right\n\nreally"


def test_meta_comment_marks_draft_and_kind():
    text = "# Quiz\n\n### Q1. Pick\n\n<!-- quizsite: multiple draft -->\n\n- [x] a\n- [ ] b\n"
    result = parse_ok(text)
    q = result.quiz.questions[0]
    assert (q.kind, q.published, q.text) == (MULTIPLE, False, "Pick")
    assert result.warnings == []


def test_heading_without_prefix_has_no_number():
    q = parse_ok("# Quiz\n\n### What is 2+2?\n\n- [x] 4\n- [ ] 5\n").quiz.questions[0]
    assert (q.number, q.text) == (None, "What is 2+2?")


def test_q_numbers_without_a_stop_are_numbers_and_other_letters_stay_text():
    text = "# Quiz\n\n### Q1 Pick\n\n- [x] a\n- [ ] b\n\n### A1 steak sauce?\n\n- [x] yes\n"
    assert [(q.number, q.text) for q in parse_ok(text).quiz.questions] == [
        (1, "Pick"),
        (None, "A1 steak sauce?"),
    ]


def test_errors_for_empty_and_question_less_files():
    for data, code in ((b"", Code.EMPTY_FILE), (b"## Title\n\nprose only\n", Code.NO_QUESTIONS)):
        result = parse(data, format="tasklist")
        assert result.quiz is None
        assert [(e.line, e.code) for e in result.errors] == [(1, code)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("## Q1 Which one?", "## Q2 And now?"),
        ("## Q1\n\nWhich one?", "## Q2\n\nAnd now?"),
        ("## 1. Which one?", "## 2. And now?"),
        ("## Question 1: Which one?", "## Question 2: And now?"),
        ("### Q1. Which one?", "### Q2. And now?"),
        ("#### 1) Which one?", "#### 2) And now?"),
        ("**1.** Which one?", "**2.** And now?"),
        ("**1.**\n\nWhich one?", "**2.**\n\nAnd now?"),
        ("**Q1.** Which one?", "**Q2.** And now?"),
        ("**1. Which one?**", "**2. And now?**"),
    ],
)
def test_question_heading_styles_of_real_files(first, second):
    text = f"# Quiz\n\n{first}\n\n- [ ] a\n- [x] b\n\n{second}\n- [x] c\n- [x] d\n\nBecause.\n"
    result = parse_ok(text)
    assert result.warnings == []
    quiz = result.quiz
    assert quiz.title == "Quiz"
    assert [(q.number, q.text, q.kind) for q in quiz.questions] == [
        (1, "Which one?", SINGLE),
        (2, "And now?", MULTIPLE),
    ]
    assert options_of(quiz.questions[1]) == [("c", CORRECT), ("d", CORRECT)]
    assert quiz.questions[1].explanation == "Because."


def test_numbered_h2_questions_take_an_unnumbered_h2_title_and_keep_subheadings():
    text = (
        "## Python quiz\n\nAbout it.\n\n## Q1\n\nPick one.\n\n- [x] a\n- [ ] b\n\n"
        "### Explanation\n\nBecause a.\n\n## Q2\n\nPick two.\n\n- [x] c\n- [x] d\n"
    )
    quiz = parse_ok(text).quiz
    assert (quiz.title, quiz.description) == ("Python quiz", "About it.")
    assert [(q.number, q.text) for q in quiz.questions] == [(1, "Pick one."), (2, "Pick two.")]
    assert quiz.questions[0].explanation == "### Explanation\n\nBecause a."


def test_numbered_h2_and_bold_lines_in_a_file_of_h4_questions_stay_text():
    text = (
        "## Django\n\n## 1. Basics\n\n#### Q1. First?\n\n- [x] a\n- [ ] b\n\n"
        "**1.** One reason.\n\n**2. Another reason**\n\n#### Q2. Second?\n\n- [x] c\n- [ ] d\n"
    )
    quiz = parse_ok(text).quiz
    assert quiz.description == "## 1. Basics"
    assert [q.number for q in quiz.questions] == [1, 2]
    assert quiz.questions[0].explanation == "**1.** One reason.\n\n**2. Another reason**"


def test_bold_lines_without_a_number_are_not_questions():
    text = "# Quiz\n\n**1.** Pick.\n\n- [x] a\n- [ ] b\n\n**Explanation:** a is right.\n"
    [question] = parse_ok(text).quiz.questions
    assert question.explanation == "**Explanation:** a is right."


def test_a_file_without_any_question_heading_is_told_what_is_expected():
    text = "# Quiz\n\nQ1 Which one?\n\n- [ ] a\n- [x] b\n"
    result = parse(text)
    assert result.format == "tasklist"
    assert [(e.line, e.code) for e in result.errors] == [(1, Code.NO_QUESTIONS)]


def test_detect_format_picks_tasklist():
    assert detect_format(BASIC) == "tasklist"


CORPUS_FILES = sorted(CORPUS_DIR.glob("*/*.md"))


# Without the corpus, one case for the missing folder (skipped, or failed in CI) rather than
# an empty parameter set, which pytest would skip silently even in CI.
@pytest.mark.parametrize("path", CORPUS_FILES or [CORPUS_DIR], ids=lambda p: p.name)
def test_every_corpus_file_parses(path):
    result = parse(require_shared(path).read_bytes())
    assert result.ok, result.errors
    assert result.format == "tasklist"
    assert result.encoding == "utf-8"
    quiz = result.quiz
    assert quiz.title
    assert len(quiz.questions) >= 20
    for q in quiz.questions:
        assert q.text
        assert q.options
        assert all(o.text for o in q.options)
        if q.published:
            assert len(q.options) >= 2
            assert any(o.verdict == CORRECT for o in q.options)
            assert q.kind == (
                MULTIPLE if sum(o.verdict == CORRECT for o in q.options) > 1 else SINGLE
            )
        else:
            assert any(w.line == q.line and w.code == Code.TASKLIST_DRAFT for w in result.warnings)
    for warning in result.warnings:
        assert warning.line is not None


def test_corpus_sanity_counts():
    require_shared(CORPUS_DIR)
    by_name = {p.name: parse(p.read_bytes()) for p in CORPUS_FILES}
    django = by_name["django-quiz.md"].quiz
    assert len(django.questions) > 50
    assert django.title == "Django"
    q4 = next(q for q in django.questions if q.number == 4)
    assert [o.verdict for o in q4.options] == [INCORRECT, CORRECT, INCORRECT, INCORRECT]
    assert q4.options[1].text.startswith("B\n\n```python\npath('shows/<int:season>")
    after_effects = by_name["after-effects-quiz-it.md"]
    assert all(not q.published for q in after_effects.quiz.questions)
    assert len(after_effects.warnings) == len(after_effects.quiz.questions)
    assert by_name["python-quiz-ua.md"].quiz.title == "Python (Мова програмування)"
