"""The benchmark's result rows and the table printed from them (pure: no Django)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

BARE = "bare view (/healthz/)"


@dataclass
class EndpointResult:
    name: str
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    cpu_ms: float | None = None  # gunicorn CPU time per request (excludes PostgreSQL)
    note: str = ""  # why an endpoint was skipped, or how it was measured
    ratio: float | None = None
    target: float | None = None  # the minimum ratio to the bare view, if any

    measured: bool = True  # False: the endpoint is not on this branch; `note` says why

    @property
    def skipped(self) -> bool:
        return not self.measured

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return ""
        return "ok" if self.ratio >= self.target else "MISSED"

    def as_dict(self) -> dict:
        return {**asdict(self), "rps": round(self.rps, 1), "verdict": self.verdict}


def add_ratios(results: list[EndpointResult], bare: str = BARE) -> None:
    """Each measured endpoint's requests/s as a fraction of the bare view's."""
    base = next((r for r in results if r.name == bare and not r.skipped), None)
    for result in results:
        result.ratio = (
            round(result.rps / base.rps, 3) if base and base.rps and not result.skipped else None
        )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_table(results: list[EndpointResult]) -> str:
    header = [
        "endpoint",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "CPU ms/req",
        "× bare",
        "target",
    ]
    rows = []
    for r in results:
        if r.skipped:
            rows.append([r.name, "-", "-", "-", "-", "-", "-", "-", f"skipped: {r.note}"])
            continue
        target = f"≥ {r.target:g}× {r.verdict}" if r.target is not None else ""
        rows.append(
            [
                r.name,
                f"{r.rps:,.0f}",
                _ms(r.p50_ms),
                _ms(r.p95_ms),
                _ms(r.p99_ms),
                str(r.errors),
                _ms(r.cpu_ms),
                "-" if r.ratio is None else f"{r.ratio:.2f}",
                target + (f" ({r.note})" if r.note else ""),
            ]
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, None, *rows]:
        if row is None:
            lines.append("  ".join("-" * w for w in widths) + "  ------")
            continue
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row[:-1], widths, strict=True))
        ]
        lines.append("  ".join(cells) + "  " + row[-1])
    return "\n".join(line.rstrip() for line in lines)


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    index = max(0, min(len(sorted_values) - 1, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[index]
