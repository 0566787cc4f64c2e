"""Markup with holes: built once, filled per request (quizzes/splicing.py)."""

import pytest

from quizzes.splicing import Holes, MarkersLost


def test_a_filled_skeleton_puts_each_value_where_its_marker_was():
    holes = Holes()
    text = f"<p>{holes('name')} has {holes('count')} answers, {holes('name')}.</p>"
    skeleton = holes.split(text)
    assert skeleton.fill({"name": "Анна", "count": "3"}) == "<p>Анна has 3 answers, Анна.</p>"
    assert skeleton.fill(lambda slot: f"[{slot}]") == "<p>[name] has [count] answers, [name].</p>"


def test_a_value_used_twice_fills_both_places():
    holes = Holes()
    token = holes("csrf")
    skeleton = holes.split(f"<input value='{token}'>…<input value='{token}'>")
    assert skeleton.fill({"csrf": "abc"}) == "<input value='abc'>…<input value='abc'>"


def test_author_text_cannot_forge_a_marker():
    # The private-use characters a marker is made of, typed into a question.
    forged = "\ue000" + "0" * 16 + ":0\ue001"
    holes = Holes()
    skeleton = holes.split(f"{forged} {holes('secret')}")
    assert skeleton.fill({"secret": "TOKEN"}) == f"{forged} TOKEN"


def test_a_marker_lost_by_the_template_is_refused():
    holes = Holes()
    kept = holes("kept")
    holes("lost")
    with pytest.raises(MarkersLost):
        holes.split(f"<p>{kept}</p>")


def test_a_format_string_doubles_literal_braces():
    holes = Holes()
    text = f"<code>{{x}}</code>{holes('q')}<i>}}{holes('o')}</i>"
    fmt = holes.split(text).format_string({"q": 0, "o": 1})
    assert fmt.format("Q", "O") == "<code>{x}</code>Q<i>}O</i>"
