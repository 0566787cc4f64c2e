"""Settings for the test suite: the real settings, with a test-only secret key."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from quizsite.settings import *  # noqa: F403
