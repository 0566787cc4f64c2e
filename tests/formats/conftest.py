from __future__ import annotations

import pytest

from ._paths import SEED_FILE


@pytest.fixture
def seed_bytes() -> bytes:
    if not SEED_FILE.is_file():
        pytest.skip(f"shared seed file not available at {SEED_FILE}")
    return SEED_FILE.read_bytes()
