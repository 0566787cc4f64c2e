"""`make bench-peer`: CPU per candidate request, quizsite beside the peer app, in-process.

Our side runs here (bench.profile_candidate.measure_detailed: production settings, the real
views through django.test.Client, PostgreSQL database BENCH_DATABASE_URL, default
qs_bench_peer_ours, dropped and recreated). The peer, django-survey-and-report, runs in its
own virtualenv (PEER_PYTHON, default .venv-peer/bin/python; `make bench-peer` installs it)
as `python -m bench.peer.run_peer` against PEER_DATABASE_URL (default qs_bench_peer,
recreated). Both measure time.process_time per request, median over REQUESTS requests after
a warm-up, plus the queries of one more request. Prints the machine, both tables and, per
candidate request, peer CPU / ours and whether it is at least 10x (the issue 19 target).
The mapping of our requests to the peer's is in MAPPING and bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.load import ROOT

TARGET = 10.0
DEFAULT_OURS_URL = "postgres://postgres@127.0.0.1:5432/qs_bench_peer_ours"
DEFAULT_PEER_URL = "postgres://postgres@127.0.0.1:5432/qs_bench_peer"
PEER_TIMEOUT = 900

# (candidate request, our endpoint in bench.profile_candidate, the peer's request kind in
# bench.peer.run_peer, note). The peer has no start and no autosave: see bench/README.md.
MAPPING = [
    ("quiz page", "quiz page", "survey list", ""),
    ("start", "start POST", "survey form", "peer: no start, opening the form starts"),
    ("attempt page", "attempt page", "survey form", ""),
    ("autosave", "autosave POST", "post 5 answers", "peer: no autosave, partial POST"),
    ("submit", "submit POST", "post all answers", ""),
    ("result", "result page", "confirmation", "peer: confirmation, no review"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per kind")
    parser.add_argument(
        "--peer-python", default=os.environ.get("PEER_PYTHON", str(ROOT / ".venv-peer/bin/python"))
    )
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 1000:
        parser.error("--requests must be between 1 and 1000")
    return args


def machine() -> dict[str, str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": str(os.cpu_count()),
        "cpu model": model,
        "python": platform.python_version(),
        "load average": load,
    }


def ratios(ours: dict, peer: dict) -> list[dict]:
    """One row per candidate request: both medians and query counts, peer / ours."""
    rows = []
    for request, our_kind, peer_kind, note in MAPPING:
        mine, theirs = ours[our_kind], peer[peer_kind]
        ratio = theirs["median_ms"] / mine["median_ms"] if mine["median_ms"] > 0 else float("inf")
        rows.append(
            {
                "request": request,
                "ours_ms": mine["median_ms"],
                "ours_queries": mine["queries"],
                "peer_request": peer_kind,
                "peer_ms": theirs["median_ms"],
                "peer_queries": theirs["queries"],
                "ratio": ratio,
                "meets": ratio >= TARGET,
                "note": note,
            }
        )
    return rows


def format_table(rows: list[dict]) -> str:
    header = (
        "request",
        "ours ms",
        "ours q",
        "peer request",
        "peer ms",
        "peer q",
        "peer/ours",
        f"≥ {TARGET:g}×",
        "note",
    )
    lines = [
        (
            row["request"],
            f"{row['ours_ms']:.1f}",
            str(row["ours_queries"]),
            row["peer_request"],
            f"{row['peer_ms']:.1f}",
            str(row["peer_queries"]),
            f"{row['ratio']:.1f}×",
            "yes" if row["meets"] else "MISSED",
            row["note"],
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    numeric = {1, 2, 4, 5, 6}

    def render(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(cells) for cells in lines)])


def run_peer(python: str, requests: int) -> dict:
    if not Path(python).exists():
        raise SystemExit(f"{python} not found: `make bench-peer` installs the peer's virtualenv")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "PEER_DATABASE_URL": os.environ.get("PEER_DATABASE_URL", DEFAULT_PEER_URL),
        "DJANGO_SETTINGS_MODULE": "bench.peer.settings",
    }
    done = subprocess.run(
        [python, "-m", "bench.peer.run_peer", "--requests", str(requests)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PEER_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the peer's run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ours(requests: int) -> dict:
    from bench.profile_candidate import measure_detailed, prepare_database

    prepare_database(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_OURS_URL)
    return measure_detailed(requests)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    about = machine()
    print("  ".join(f"{key}: {value}" for key, value in about.items()))
    started = time.monotonic()
    peer = run_peer(args.peer_python, args.requests)
    print(
        f"peer: {peer['app']}, Django {peer['django']}, Python {peer['python']}, "
        f"{peer['database']}, {peer['questions']} questions"
    )
    ours = run_ours(args.requests)
    import django

    print(f"ours: quizsite, Django {django.get_version()}, 40 questions × 5 options")
    print(
        f"in-process CPU ms per request (median of {args.requests}), queries of one request; "
        f"{time.monotonic() - started:.0f} s\n"
    )
    rows = ratios(ours, peer["results"])
    print(format_table(rows))
    from bench.run import RESULTS

    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"machine": about, "peer": peer, "ours": ours, "rows": rows}
    (RESULTS / "bench-peer-latest.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
