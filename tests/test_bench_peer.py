"""`make bench-peer`'s own code, without the peer: our side's measurement on a small quiz,
the peer runner's arguments and the comparison table (the peer is not installed here)."""

import pytest

from bench import peer_compare
from bench.peer import run_peer
from bench.profile_candidate import BARE, ENDPOINTS, measure_detailed


@pytest.mark.django_db
def test_our_side_measures_every_candidate_request_with_cpu_and_queries():
    results = measure_detailed(2)

    assert list(results) == [BARE, *ENDPOINTS]
    assert {our for _, our, _, _ in peer_compare.MAPPING} == set(ENDPOINTS)
    assert results[BARE]["queries"] == 0
    for name in ENDPOINTS:
        assert results[name]["median_ms"] > 0, name
        assert results[name]["mean_ms"] > 0, name
        assert 1 <= results[name]["queries"] <= 40, name


@pytest.mark.django_db
def test_our_side_starts_a_new_attempt_per_start_request():
    from quizzes.models import Attempt

    measure_detailed(2)

    # 2 timed starts and the counted one, each by a new visitor.
    assert Attempt.objects.filter(candidate_email__startswith="starter-").count() == 3


def test_peer_runner_bounds_its_arguments():
    assert run_peer.parse_args([]).requests == 40
    assert run_peer.parse_args(["--requests", "3", "--questions", "10"]).questions == 10
    for wrong in (["--requests", "0"], ["--requests", "5000"], ["--questions", "2"]):
        with pytest.raises(SystemExit):
            run_peer.parse_args(wrong)


def test_compare_bounds_its_arguments_and_names_the_peer_python(tmp_path):
    args = peer_compare.parse_args(["--requests", "7", "--peer-python", str(tmp_path / "py")])
    assert args.requests == 7 and args.peer_python == str(tmp_path / "py")
    with pytest.raises(SystemExit):
        peer_compare.parse_args(["--requests", "0"])
    with pytest.raises(SystemExit, match="make bench-peer"):
        peer_compare.run_peer(str(tmp_path / "py"), 1)


def result(ms, queries):
    return {"median_ms": ms, "mean_ms": ms, "queries": queries}


def test_table_shows_each_requests_ratio_and_whether_it_meets_ten_times():
    ours = {
        "quiz page": result(5.0, 3),
        "start POST": result(20.0, 12),
        "attempt page": result(5.0, 3),
        "autosave POST": result(10.0, 8),
        "submit POST": result(13.0, 10),
        "result page": result(6.0, 4),
    }
    peer = {
        "survey list": result(1.0, 1),
        "survey form": result(65.0, 44),
        "post 5 answers": result(70.0, 44),
        "post all answers": result(54.0, 165),
        "confirmation": result(1.2, 2),
    }
    rows = peer_compare.ratios(ours, peer)
    by_request = {row["request"]: row for row in rows}

    assert [row["request"] for row in rows] == [
        "quiz page",
        "start",
        "attempt page",
        "autosave",
        "submit",
        "result",
    ]
    assert by_request["attempt page"]["ratio"] == pytest.approx(13.0)
    assert by_request["attempt page"]["meets"] is True
    assert by_request["submit"]["ratio"] == pytest.approx(54 / 13)
    assert by_request["submit"]["meets"] is False
    table = peer_compare.format_table(rows).splitlines()
    assert table[0].split()[:3] == ["request", "ours", "ms"]
    attempt = next(line for line in table if line.startswith("attempt page"))
    assert attempt.split()[2:9] == ["5.0", "3", "survey", "form", "65.0", "44", "13.0×"]
    assert "yes" in attempt
    submit = next(line for line in table if line.startswith("submit"))
    assert "4.2×" in submit and "MISSED" in submit


def test_machine_names_cpus_model_and_python():
    about = peer_compare.machine()
    assert int(about["cpus"]) >= 1
    assert about["python"].count(".") == 2
    assert about["cpu model"]


def test_peer_side_imports_nothing_of_quizsite():
    # It runs in .venv-peer, where neither quizsite nor its dependencies are installed.
    from pathlib import Path

    checked = 0
    for source in Path(run_peer.__file__).parent.glob("*.py"):
        imports = [
            line.strip()
            for line in source.read_text().splitlines()
            if line.strip().startswith(("import ", "from "))
        ]
        checked += len(imports)
        for line in imports:
            module = line.split()[1]
            assert not module.startswith(("quizzes", "quizsite", "tests")), (source.name, line)
            assert module in {"bench.peer", "bench.peer.settings"} or not module.startswith(
                "bench"
            ), (source.name, line)
    assert checked > 20
