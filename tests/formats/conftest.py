from __future__ import annotations

import pytest

from ._paths import SEED_FILE, require_shared


@pytest.fixture
def seed_bytes() -> bytes:
    return require_shared(SEED_FILE).read_bytes()
