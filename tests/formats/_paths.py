"""Locations of test data; the shared corpus lives next to the repository."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared"
SEED_FILE = SHARED / "seeds" / "000_85b154780722bf15.txt"
CORPUS_DIR = SHARED / "corpus" / "linkedin-skill-assessments-quizzes"
DATA = Path(__file__).resolve().parent / "data"
