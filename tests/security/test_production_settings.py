"""The settings a production process gets (DEBUG=0, nothing else overridden)."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import json
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "HSTS": s.SECURE_HSTS_SECONDS,
    "SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SESSION_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_SECURE": s.CSRF_COOKIE_SECURE,
    "SESSION_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SESSION_SAMESITE": s.SESSION_COOKIE_SAMESITE,
    "CSRF_SAMESITE": s.CSRF_COOKIE_SAMESITE,
    "NOSNIFF": s.SECURE_CONTENT_TYPE_NOSNIFF,
    "FRAME": s.X_FRAME_OPTIONS,
    "REFERRER": s.SECURE_REFERRER_POLICY,
    "HASHER": s.PASSWORD_HASHERS[0],
    "CSP": s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"],
}))
"""


def production_settings() -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DJANGO_", "DEBUG"))
    } | {
        "DJANGO_SETTINGS_MODULE": "quizsite.settings",
        "SECRET_KEY": "production-like-secret-key-production-like-secret-key",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "quiz.example.com",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PROBE}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_are_hardened():
    values = production_settings()
    assert values["DEBUG"] is False
    # Either one missing lets an attacker on the network downgrade candidates to plain HTTP.
    assert values["HSTS"] >= 365 * 24 * 3600, "production must send HSTS for a year or more"
    assert values["SSL_REDIRECT"] is True, "production must redirect plain HTTP to HTTPS"
    assert values["SESSION_SECURE"] is True and values["CSRF_SECURE"] is True
    assert values["SESSION_HTTPONLY"] is True
    assert values["SESSION_SAMESITE"] == "Lax" and values["CSRF_SAMESITE"] == "Lax"
    assert values["NOSNIFF"] is True
    assert values["FRAME"] == "DENY"
    assert values["REFERRER"] == "same-origin"
    assert values["HASHER"].endswith("Argon2PasswordHasher")
    assert values["CSP"] == ["'self'"]
