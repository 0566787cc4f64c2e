"""Settings for quizsite, read from the environment (see .env.example).

With nothing set the site runs in development mode on SQLite in a git-ignored file,
so a fresh checkout can be installed and served with one command. Production sets
SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and DATABASE_URL.

Every web process is interchangeable behind a load balancer: static files come from the
image (collected at build time, served by whitenoise), sessions live in the database (or
Redis), and nothing is written to the local disk at request time.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def env_rate(name: str, default: str) -> str | None:
    """A rate "<count>/<s|m|h|d>" (e.g. 30/m, 60/10m); "off" or empty switches it off."""
    value = os.environ.get(name, default).strip()
    if value.lower() in {"", "off"}:
        return None
    if not re.fullmatch(r"\d+/\d*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must look like 30/m or 60/10m (or off), got {value!r}")
    return value


# --- Core ------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for development."
        )
    # Development only: a fixed key is fine when nothing is exposed.
    SECRET_KEY = "django-insecure-development-key-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "adminsortable2",
    "quizzes",
    "axes",
    "huey.contrib.djhuey",
    # The API's docs page: Swagger UI from ninja's own static files, not from a CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, so static files skip the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Refuses form posts that are not valid UTF-8 before CSRF or a view decodes them.
    "quizzes.security.RejectMalformedFormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The largest quiz: refused beyond this at import and in the admin, so that every quiz
# can be answered, saved and submitted from its own one-page form.
QUIZ_MAX_QUESTIONS = env_int("QUIZ_MAX_QUESTIONS", 500)
QUESTION_MAX_OPTIONS = env_int("QUESTION_MAX_OPTIONS", 20, minimum=2)
# That form sends, per question, one field per ticked option, the question's `shown`
# field and (the background save) the seconds spent on it; a few more for the page
# (CSRF token, save number, action, signals). The admin's quiz page sends 8 per question.
# A multipart field takes under 200 bytes (boundary, header, value). Anything beyond
# these limits is refused with a 400 page.
DATA_UPLOAD_MAX_NUMBER_FIELDS = QUIZ_MAX_QUESTIONS * (QUESTION_MAX_OPTIONS + 2) + 100
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, DATA_UPLOAD_MAX_NUMBER_FIELDS * 200)

# Statistics: below this many finished attempts of a quiz version, discrimination,
# discriminative efficiency and Cronbach's alpha are shown as not yet meaningful and no
# question is flagged (a correlation of a few attempts is mostly chance).
QUIZ_STATISTICS_MIN_ATTEMPTS = env_int("QUIZ_STATISTICS_MIN_ATTEMPTS", 30)

# Files are taken only by these views, and only from staff (quizzes.security): anywhere
# else a form with a file is refused before it is parsed. There the whole body, files
# included, counts against DATA_UPLOAD_MAX_MEMORY_SIZE and stays in memory, so nothing a
# client sends is ever written to disk; the import and bulk-invite forms cap their files lower.
FILE_UPLOAD_VIEWS = ["admin:quizzes_quiz_import", "admin:quizzes_invite_bulk"]
# Only for a multipart body the middleware did not see: files that do not fit in memory
# are dropped instead of being written to a temporary file.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# --- Database --------------------------------------------------------------------------

# SQLite in a git-ignored folder is the embedded default; DATABASE_URL=postgres://... switches.
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'quizsite.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the dev server read while a submit writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalization --------------------------------------------------------------

# Russian is the default UI language; English is available through Accept-Language
# or the language switch. Source strings are English.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static files and storage ----------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed, cached forever; needs `collectstatic` (the Dockerfile runs it).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Cache and sessions ----------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache outage degrades to the database instead of failing requests.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    # Reads from Redis, writes through to the database: a Redis restart never logs a
    # candidate out of the attempt their session grants access to.
    SESSION_ENGINE = "quizzes.sessions.cached_db"
else:
    # Per process, so only for things that are safe to recompute; sessions stay in the DB.
    # Room for the result page's per-question fragments (40 per page; the default is 300).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
    SESSION_ENGINE = "quizzes.sessions.db"

# Rate-limit counters must be shared by every worker and replica and outlive a restart, or
# each process grants a client its own allowance. Redis does that when it is configured;
# otherwise they live in a database table (`manage.py createcachetable` creates it, after
# `migrate`). Room for one counter per client address and limited endpoint per window.
if REDIS_URL:
    CACHES["ratelimit"] = CACHES["default"]
else:
    CACHES["ratelimit"] = {
        "BACKEND": "quizzes.counters.CounterDatabaseCache",
        "LOCATION": "quizsite_rate_limits",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
RATELIMIT_USE_CACHE = "ratelimit"

# A candidate's attempt ids live in the session; keep it for the length of a hiring round.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A translated page that tells the candidate to reload, instead of Django's English one.
CSRF_FAILURE_VIEW = "quizzes.views.errors.csrf_failure"

# --- HTTPS -----------------------------------------------------------------------------

# On by default in production; the proxy header is opt-in because trusting
# X-Forwarded-Proto is only safe behind a proxy that always sets it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Security headers and CSP ----------------------------------------------------------
# How each promise is tested: README.md, "Security".

# All JavaScript and CSS come from our static files: no inline script, style or handlers.
# Images: question markdown may show images hosted elsewhere over https (the sanitizer
# already drops javascript:/data: URLs from markdown); data: is for Bootstrap's own
# CSS icons (checkbox ticks, select arrows). Images cannot run code, so this is the one
# directive that is wider than 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# How many reverse proxies in front of the site append to X-Forwarded-For. 0 (the default)
# means clients connect directly and the header is ignored: anyone can forge it. The
# lockout and the rate limits both key on this address (quizzes.security.client_ip).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# --- Authentication and lockout --------------------------------------------------------

LOGIN_URL = "admin:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept so that hashes made before Argon2 still verify (and are upgraded on login).
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "quizzes.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
# Failures count per client address and, separately, per username: a guesser with many
# addresses still gets 5 tries at an account. The price is that anyone can lock an account
# for a while; README.md, "Security", says how an administrator lifts a lock.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "quizzes.security.client_ip"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "60")))
# A success must not clear failures: axes would clear every failure from the address, so
# an insider could alternate guesses at another account with sign-ins to their own. Failures
# expire after the cool-off instead.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False

# --- Rate limits -----------------------------------------------------------------------

# Per client address, counted in the shared "ratelimit" cache (see Cache and sessions).
RATELIMIT_VIEW = "quizzes.views.errors.ratelimited"
RATE_LIMITS = {
    "start": env_rate("RATE_LIMIT_START", "30/10m"),
    "submit": env_rate("RATE_LIMIT_SUBMIT", "30/m"),
    # Opening an invite link and its start page, shown and sent: 3 requests per candidate.
    "invite": env_rate("RATE_LIMIT_INVITE", "60/10m"),
    "autosave": env_rate("RATE_LIMIT_AUTOSAVE", "240/m"),
    # The admin's live preview, per user (it renders markdown on each pause in typing).
    "preview": env_rate("RATE_LIMIT_PREVIEW", "120/m"),
    # Asking for a one-time code and entering one (a code has 5 tries, an attempt 3 codes
    # per 15 minutes; this bounds one address across attempts).
    "code": env_rate("RATE_LIMIT_CODE", "20/10m"),
    # The JSON API, per token rather than per address (quizzes/api/auth.py).
    "api": env_rate("RATE_LIMIT_API", "600/m"),
    # Requests with a wrong, revoked or expired token, per address: they have no token to
    # count against, and past this they are refused before the token is looked up.
    "api_auth": env_rate("RATE_LIMIT_API_AUTH", "30/m"),
}

# --- Background tasks (Huey) ------------------------------------------------------------
# Email, reminders, notifications and the periodic jobs (closing overdue attempts,
# clearing expired sessions) run in a Huey consumer: `manage.py run_huey`, started next
# to the web server by `make run` and as the `worker` service in docker-compose.yml.
# With REDIS_URL the queue is in Redis, so any number of consumers on any machines share
# it; without, in a SQLite file in DATA_DIR (one machine, no extra service).
# HUEY_IMMEDIATE=1 runs every task inside the request that queues it (the test suite).
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("HUEY_QUEUE", "quizsite"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    # The queue's file lives in DATA_DIR even when the database is PostgreSQL.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": os.environ.get("HUEY_QUEUE", "quizsite"),
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# --- Email -------------------------------------------------------------------------------
# SMTP when EMAIL_HOST is set; otherwise every email is printed, readably, by the worker
# that sends it (quizzes.console_mail), so `make run` shows invitations in its output. EMAIL_BACKEND
# overrides both, e.g. a django-anymail provider backend (README, "Email").
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "quizzes.console_mail.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "quizsite <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Delivery: a message that fails is retried with growing pauses (1, 2, 4 ... minutes, at
# most an hour apart) and marked failed after this many tries; the admin can resend it.
EMAIL_MAX_TRIES = env_int("EMAIL_MAX_TRIES", 10)
# Invitation emails one staff user (or their API token) may queue per hour: a stolen token
# or session cannot turn the site into a spam relay beyond this.
INVITATION_EMAILS_PER_HOUR = env_int("INVITATION_EMAILS_PER_HOUR", 2000)

# Links in emails and other messages sent without a request (reminders, notifications)
# start with this address. Default: http://127.0.0.1:$PORT in development, otherwise
# https:// and the first of ALLOWED_HOSTS.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    if DEBUG
    else f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
)
# The hour (UTC, 0-23) at which recruiters who chose the daily digest get it.
NOTIFICATION_DIGEST_HOUR = min(max(env_int("NOTIFICATION_DIGEST_HOUR", 7), 0), 23)

# --- Webhooks ----------------------------------------------------------------------------
# Events posted to the URLs recruiters configure (README, "Webhooks"). A URL whose host
# resolves to a private, loopback, link-local or otherwise non-public address is refused,
# when it is saved and again at every delivery, unless this is on (a receiver on the same
# network; the test suite). With it on, or with DEBUG, plain http URLs are accepted too.
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", False)
# Seconds one delivery may take in all (connecting, sending, reading the answer); redirects
# are never followed.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
# A delivery that keeps failing is retried with doubling pauses for this long, then failed.
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 24)
# Active endpoints at most: each event is posted to every one, and each post may hold a
# worker for WEBHOOK_TIMEOUT, so their number bounds what one event costs the queue.
WEBHOOK_MAX_ENDPOINTS = env_int("WEBHOOK_MAX_ENDPOINTS", 50)

# --- Logging ---------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The consumer (run_huey) gives this logger a handler of its own.
        "huey": {"level": "INFO", "propagate": False},
    },
}
