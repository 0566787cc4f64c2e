"""parse() must never raise, whatever bytes are uploaded."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.formats import Code, ParseResult, parse

from ._paths import CORPUS_DIR, SEED_FILE, require_shared


def assert_well_formed(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert result.format in ("seed", "tasklist")
    assert (result.quiz is None) == bool(result.errors)
    for problem in result.errors + result.warnings + result.repairs:
        assert problem.code in Code and problem.code != Code.INTERNAL_ERROR, problem
        # Messages are one line: what a problem quotes of the file is too.
        assert not any("\n" in str(value) for value in problem.params.values()), problem
        assert problem.not_imported is None or "\n" not in problem.not_imported.words
    if result.quiz is not None:
        for q in result.quiz.questions:
            assert q.options


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), fmt=st.sampled_from([None, "seed", "tasklist"]))
def test_random_bytes_never_raise(data, fmt):
    assert_well_formed(parse(data, format=fmt))


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*list("#*-+[]xX~ \n\t`>✅❌⚠️1.\\<!-"), "## Задание 1\n", "```\n"]),
        max_size=300,
    ).map("".join),
    fmt=st.sampled_from([None, "seed", "tasklist"]),
)
def test_random_markdown_soup_never_raises(text, fmt):
    assert_well_formed(parse(text, format=fmt))
    assert_well_formed(parse(text.encode("utf-8"), format=fmt))


def test_truncated_and_mutated_real_files_never_raise():
    rng = random.Random(1234)
    samples = [require_shared(SEED_FILE), *sorted(require_shared(CORPUS_DIR).glob("*/*.md"))[:3]]
    for path in samples:
        data = path.read_bytes()
        for cut in sorted({rng.randrange(len(data)) for _ in range(40)} | {1, 2, 3, len(data) - 1}):
            assert_well_formed(parse(data[:cut]))
        for _ in range(40):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                op = rng.random()
                pos = rng.randrange(len(mutated))
                if op < 0.4:
                    mutated[pos] = rng.randrange(256)
                elif op < 0.7:
                    del mutated[pos : pos + rng.randint(1, 200)]
                else:
                    start = rng.randrange(len(data))
                    mutated[pos:pos] = data[start : start + rng.randint(1, 300)]
            assert_well_formed(parse(bytes(mutated)))


def test_huge_lines_and_many_lines_never_raise():
    huge = "# T\n\n## Задание 1\n\n**" + "я" * 300_000 + "**\n\n* ✅ " + "a" * 200_000 + "\n"
    result = parse(huge.encode())
    assert result.ok
    assert len(result.quiz.questions[0].options[0].text) == 200_000
    many = "# T\n\n" + "".join(f"### Q{i}. q{i}\n\n- [x] a\n- [ ] b\n\n" for i in range(1, 3001))
    result = parse(many.encode())
    assert result.ok
    assert len(result.quiz.questions) == 3000
    assert_well_formed(parse(b"*" * 500_000))
    assert_well_formed(parse(b"\n" * 200_000))
    assert_well_formed(parse(b"```\n" * 50_000))
