"""Settings for the test suite: the real settings, with a test-only secret key."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
# The test client speaks plain HTTP; HTTPS redirects are covered by tests/test_production.py.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from quizsite.settings import *  # noqa: F403

# Production serves hashed files from a manifest that `collectstatic` writes at image build
# time; the suite must not depend on a build step, so it uses plain storage. The manifest
# storage itself is exercised by tests/test_production.py, which runs collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve from the app directories like development does, instead of a collected STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks run inside the request that queues them, in memory; tests that need a queue (or a
# real consumer process) switch this off for themselves (tests/mail.py).
HUEY = {
    "huey_class": "huey.MemoryHuey",
    "name": "quizsite-tests",
    "immediate": True,
    "utc": True,
}

# The webhook receivers the tests start listen on 127.0.0.1 over plain http.
WEBHOOK_ALLOW_PRIVATE_URLS = True
