"""Locations of test data; the shared corpus lives next to the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared"
SEED_FILE = SHARED / "seeds" / "000_85b154780722bf15.txt"
CORPUS_DIR = SHARED / "corpus" / "linkedin-skill-assessments-quizzes"
DATA = Path(__file__).resolve().parent / "data"


def require_shared(path: Path) -> Path:
    """`path` if it exists; otherwise skip the test, or fail it in CI, which has ../shared."""
    __tracebackhide__ = True  # report the test that needs the file, not this helper
    if not path.exists():
        message = f"shared test data not available at {path}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must check out ../shared", pytrace=False)
        pytest.skip(message)
    return path
