"""What changed in a question, as the import preview shows it (quizzes/diffing.py, no Django)."""

from hypothesis import given
from hypothesis import strategies as st

from quizzes import diffing
from quizzes.diffing import (
    ADDED,
    REMOVED,
    SAME,
    SKIPPED,
    OptionChange,
    Segment,
    diff_text,
    question_changes,
)
from quizzes.formats import ParsedOption, ParsedQuestion


def option(text: str, verdict: str = "incorrect", feedback: str = "") -> ParsedOption:
    return ParsedOption(text=text, verdict=verdict, feedback=feedback)


def question(*options: ParsedOption, **fields) -> ParsedQuestion:
    values = {"text": "Вопрос?", "kind": "single", "explanation": "", **fields}
    return ParsedQuestion(options=list(options), **values)


ABC = [option("A", "correct"), option("B"), option("C")]


def test_equal_texts_have_no_diff():
    assert diff_text("same\ntext", "same\ntext") == ()


def test_a_word_added_is_shown_between_the_words_around_it():
    assert diff_text("Какой слой обновляется?", "Какой слой не обновляется?") == (
        Segment(SAME, "Какой слой "),
        Segment(ADDED, "не "),
        Segment(SAME, "обновляется?"),
    )


def test_neighbouring_changed_words_read_as_one_change():
    assert diff_text("one two three", "one 2 3") == (
        Segment(SAME, "one "),
        Segment(REMOVED, "two three"),
        Segment(ADDED, "2 3"),
    )


def test_unchanged_lines_far_from_the_change_are_counted_not_shown():
    before = "a\nb\nc\nd\ne\nf\n"
    assert diff_text(before, before.replace("d", "D")) == (
        Segment(SKIPPED, lines=2),
        Segment(SAME, "c\n"),
        Segment(REMOVED, "d"),
        Segment(ADDED, "D"),
        Segment(SAME, "\ne\n"),
        Segment(SKIPPED, lines=1),
    )


def test_a_text_written_from_nothing_or_emptied_is_one_change():
    assert diff_text("", "новый") == (Segment(ADDED, "новый"),)
    assert diff_text("старый", "") == (Segment(REMOVED, "старый"),)


def test_huge_rewritten_blocks_are_shown_whole_instead_of_word_by_word():
    before, after = " ".join(["a"] * 600), " ".join(["b"] * 600)
    assert diff_text(before, after) == (Segment(REMOVED, before), Segment(ADDED, after))


def test_an_unchanged_question_has_no_changes():
    assert not question_changes(question(*ABC), question(*ABC))


def test_a_verdict_change_names_the_option_and_both_verdicts_and_nothing_else():
    after = [ABC[0], option("B", "correct"), ABC[2]]
    changes = question_changes(question(*ABC), question(*after, kind="single"))
    assert changes.options == (
        OptionChange("changed", 2, "B", before=2, verdict=("incorrect", "correct")),
    )
    assert (changes.text, changes.explanation, changes.kind, changes.published) == (
        (),
        (),
        None,
        None,
    )


def test_added_and_removed_options_are_found_by_their_text_not_their_position():
    changes = question_changes(question(*ABC), question(option("New"), ABC[0], ABC[2]))
    assert changes.options == (
        OptionChange("added", 1, "New", verdict=("", "incorrect")),
        OptionChange("removed", 2, "B", verdict=("incorrect", "")),
    )
    assert not changes.reordered


def test_an_option_moved_against_the_others_is_marked_moved():
    changes = question_changes(question(*ABC), question(ABC[2], ABC[0], ABC[1]))
    assert changes.reordered
    assert changes.options == (OptionChange("changed", 1, "C", before=3, moved=True),)


def test_an_option_edited_in_place_shows_its_text_diff():
    after = [ABC[0], option("B2"), ABC[2]]
    (change,) = question_changes(question(*ABC), question(*after)).options
    assert (change.number, change.before, change.text) == (2, 2, "B2")
    assert change.text_diff == (Segment(REMOVED, "B"), Segment(ADDED, "B2"))


def test_feedback_explanation_kind_and_draft_changes_are_each_reported():
    before = question(option("A", feedback="Потому что."), explanation="Старое")
    after = question(
        option("A", feedback="Потому что так."),
        explanation="Новое",
        kind="multiple",
        published=False,
    )
    changes = question_changes(before, after)
    assert changes.options[0].feedback == (
        Segment(SAME, "Потому что"),
        Segment(ADDED, " так"),
        Segment(SAME, "."),
    )
    assert changes.explanation == (Segment(REMOVED, "Старое"), Segment(ADDED, "Новое"))
    assert (changes.kind, changes.published) == (("single", "multiple"), (True, False))


texts = st.text(alphabet="ab \n*$.", max_size=40)


@given(texts, texts)
def test_the_diff_holds_both_texts_when_nothing_is_left_out(before, after):
    original = diffing.CONTEXT_LINES
    diffing.CONTEXT_LINES = 10_000
    try:
        segments = diff_text(before, after)
    finally:
        diffing.CONTEXT_LINES = original
    if before == after:
        assert segments == ()
        return
    assert "".join(s.text for s in segments if s.kind in (SAME, REMOVED)) == before
    assert "".join(s.text for s in segments if s.kind in (SAME, ADDED)) == after


def shape(q: ParsedQuestion) -> tuple:
    # What the importer compares (selectors.authoring._shape).
    return (
        q.text,
        q.kind,
        q.explanation,
        q.published,
        [(o.text, o.verdict, o.feedback) for o in q.options],
    )


options = st.lists(
    st.builds(
        option,
        st.sampled_from(["A", "B", "C", "D"]),
        st.sampled_from(["correct", "incorrect", "partial"]),
        st.sampled_from(["", "fb"]),
    ),
    max_size=5,
)
questions = st.builds(
    lambda opts, text, expl, kind, published: question(
        *opts, text=text, explanation=expl, kind=kind, published=published
    ),
    options,
    st.sampled_from(["Q", "Q2"]),
    st.sampled_from(["", "E"]),
    st.sampled_from(["single", "multiple"]),
    st.booleans(),
)


@given(questions, questions)
def test_something_is_shown_exactly_when_the_importer_sees_a_change(before, after):
    assert bool(question_changes(before, after)) == (shape(before) != shape(after))
