"""Production shape: deploy checklist, HTTPS, static files, compose and image definitions.

There is no container engine in CI, so the Dockerfile and docker-compose.yml are checked by
parsing them and by running the very commands they run.
"""

import json
import os
import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from packaging.requirements import Requirement

from tests.builders import make_quiz

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3J9-vQp2xLr8ZtYw4NcHs7GmBfUa1DeRo6PiKlVn0TqXjWy5CzEb",
    "ALLOWED_HOSTS": "quiz.example.com",
}


def run_manage(tmp_path, *args, env=None):
    """Run manage.py in a clean production-like environment (its own SQLite in tmp_path)."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    clean.update(PRODUCTION_ENV, DATA_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"))
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(tmp_path, env=None) -> dict:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'preload': s.SECURE_HSTS_PRELOAD,"
        "'proxy': s.SECURE_PROXY_SSL_HEADER, 'session_secure': s.SESSION_COOKIE_SECURE,"
        "'csrf_secure': s.CSRF_COOKIE_SECURE, 'static': s.STORAGES['staticfiles']['BACKEND'],"
        "'cache': s.CACHES['default']['BACKEND'], 'sessions': s.SESSION_ENGINE,"
        "'ratelimit_cache': s.CACHES[s.RATELIMIT_USE_CACHE]['BACKEND'],"
        "'middleware': s.MIDDLEWARE}))"
    )
    result = run_manage(tmp_path, "shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_deploy_checklist_passes_with_production_environment(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checklist_fails_when_hsts_is_turned_off(tmp_path):
    # Proves the check above can fail: the same command catches a weakened setting.
    result = run_manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", env={"SECURE_HSTS_SECONDS": "0"}
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_production_defaults_enforce_https_and_serve_hashed_static_files(tmp_path):
    values = production_settings(tmp_path)
    assert values["ssl"] is True
    assert values["hsts"] >= 365 * 24 * 3600
    assert values["subdomains"] is True and values["preload"] is True
    assert values["proxy"] is None  # trusting X-Forwarded-Proto is opt-in
    assert values["session_secure"] is True and values["csrf_secure"] is True
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    middleware = values["middleware"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    # Without Redis: sessions in the database, shared by every web process.
    assert values["sessions"] == "quizzes.sessions.db"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    # ...but rate-limit counters in the database, shared by every worker and replica.
    assert values["ratelimit_cache"] == "quizzes.counters.CounterDatabaseCache"


def test_redis_url_moves_cache_to_redis_and_sessions_to_cached_db(tmp_path):
    values = production_settings(tmp_path, env={"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert values["cache"] == "django_redis.cache.RedisCache"
    assert values["sessions"] == "quizzes.sessions.cached_db"
    assert values["ratelimit_cache"] == "django_redis.cache.RedisCache"


def test_https_behaviour_is_configurable_from_the_environment(tmp_path):
    values = production_settings(
        tmp_path,
        env={
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_PROXY_SSL_HEADER": "1",
            "SECURE_HSTS_PRELOAD": "0",
            "SECURE_HSTS_SECONDS": "63072000",
        },
    )
    assert values["ssl"] is False
    assert values["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["preload"] is False
    assert values["hsts"] == 63072000


def test_development_mode_relaxes_https_and_uses_plain_static_files(tmp_path):
    values = production_settings(tmp_path, env={"DEBUG": "1"})
    assert values["ssl"] is False and values["hsts"] == 0 and values["session_secure"] is False
    assert values["static"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_plain_http_is_redirected_to_https_except_the_health_check(client):
    make_quiz(title="Тест")
    response = client.get("/quiz/test/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/quiz/test/"

    health = client.get("/healthz/")
    assert health.status_code == 200

    secure = client.get("/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_health_check_answers_ok_without_touching_the_database(client):
    # No django_db mark: any query (session, user, content) would raise here.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_collected_static_files_are_hashed_compressed_and_linked_from_pages(tmp_path, client):
    static_root = tmp_path / "static"
    manifest_storage = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=static_root, STORAGES=manifest_storage):
        call_command("collectstatic", "--no-input", verbosity=0)
        html = client.get("/").content.decode()

    css = re.search(r'href="/static/(quizzes/site\.[0-9a-f]{12}\.css)"', html)
    assert css, html[:1000]
    assert (static_root / css.group(1)).is_file()
    assert (static_root / (css.group(1) + ".gz")).is_file()
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    assert manifest["paths"]["vendor/bootstrap/bootstrap.min.css"].startswith(
        "vendor/bootstrap/bootstrap.min."
    )


# --- the image and the compose file ----------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_16_with_a_health_check():
    db = compose()["services"]["db"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])


def test_compose_web_migrates_then_runs_gunicorn_once_the_database_is_healthy():
    web = compose()["services"]["web"]
    assert web["build"] == "."
    assert web["env_file"] == ".env"
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    script = web["command"][-1]
    migrate = script.index("manage.py migrate --no-input")
    # The rate-limit counters' table (without Redis), created after the schema.
    assert migrate < script.index("manage.py createcachetable") < script.index("exec gunicorn")
    assert "--config gunicorn.conf.py quizsite.wsgi:application" in script
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    assert "/healthz/" in " ".join(web["healthcheck"]["test"])


def test_compose_serves_web_replicas_only_through_the_haproxy_proxy():
    services = compose()["services"]
    web, proxy = services["web"], services["proxy"]
    # The replicas publish nothing: scaling web to N would otherwise clash on the host port.
    assert "ports" not in web
    assert web["expose"] == ["8000"]
    assert proxy["image"].startswith("haproxy:")
    assert proxy["ports"] == ["${WEB_PORT:-8000}:8080"]
    assert proxy["volumes"] == ["./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]
    assert proxy["depends_on"]["web"]["condition"] == "service_started"
    assert proxy["environment"]["HEALTHCHECK_HOST"].startswith("${HEALTHCHECK_HOST:?")
    # The proxy appends the client's address to X-Forwarded-For: the rate limits must key on
    # that address, not on the proxy's, so the replicas trust one proxy unless told otherwise.
    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"


def test_compose_proxy_balances_round_robin_without_sticky_sessions_like_soak_cluster():
    from bench.cluster import haproxy_config

    config = (ROOT / "deploy" / "haproxy.cfg").read_text()
    lines = [line.strip() for line in config.splitlines() if not line.lstrip().startswith("#")]
    assert "bind :8080" in lines
    assert "balance roundrobin" in lines
    assert "server-template web 10 web:8000 check" in lines
    assert "nameserver dns 127.0.0.11:53" in lines  # Docker's DNS finds every replica
    for sticky in ("cookie", "stick", "balance source", "hash-type"):
        assert not any(line.startswith(sticky) or f" {sticky} " in line for line in lines)
    # The same balancing, checks and retries as the balancer `make soak-cluster` proves,
    # the Host of the check coming from the environment.
    tested = haproxy_config(port=1, replicas={"a": 2}, host='"${HEALTHCHECK_HOST}"')
    for line in tested.splitlines():
        if line.strip().startswith(("option", "retr", "http-check", "balance", "timeout")):
            assert line.strip() in lines, line


def test_make_run_creates_the_rate_limit_table_after_migrating():
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe, "no run target in the Makefile"
    commands = recipe.group(1)
    migrate = commands.index("manage.py migrate")
    assert migrate < commands.index("manage.py createcachetable") < commands.index("runserver")


def test_compose_runs_redis_and_a_worker_that_consumes_the_task_queue():
    services = compose()["services"]
    # Redis is the queue, so it keeps what it holds across a restart.
    assert "profiles" not in services["redis"]
    assert "--appendonly" in services["redis"]["command"]
    assert any(volume.endswith(":/data") for volume in services["redis"]["volumes"])
    worker, web = services["worker"], services["web"]
    assert worker["build"] == web["build"] == "."
    assert worker["command"] == ["python", "manage.py", "run_huey"]
    for service in (worker, web):
        assert service["environment"]["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"
        assert service["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"


def test_make_run_starts_the_task_consumer_beside_the_server_and_stops_it_with_it():
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe
    commands = recipe.group(1)
    assert commands.index("manage.py run_huey &") < commands.index("runserver")
    assert 'trap "kill $$worker' in commands


def dockerfile_lines() -> list[str]:
    """Instructions with continuation lines joined, comments and blank lines left out."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def test_dockerfile_builds_slim_image_from_the_lock_runs_collectstatic_as_non_root():
    lines = dockerfile_lines()
    assert lines[0] == "FROM python:3.11-slim"
    text = "\n".join(lines)
    # The lock alone is copied before the code, so a code change reuses the dependency layer.
    copies = [line for line in lines if line.startswith("COPY ")]
    assert copies[0] == "COPY requirements.lock ./"
    assert lines.index(copies[0]) < lines.index("COPY . .")
    installs = [line for line in lines if "pip install" in line]
    assert "RUN pip install --require-hashes --no-deps -r requirements.lock" in installs
    assert lines.index(installs[0]) < lines.index("COPY . .")
    # Nothing else reaches the image unpinned: at most the project itself, without its deps.
    for install in installs:
        assert "-r requirements.lock" in install or re.search(r"--no-deps \.($|\s)", install)
        assert "--require-hashes" in install or "-r " not in install
    assert "manage.py collectstatic --no-input" in text
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert lines[-1] == (
        'CMD ["gunicorn", "--config", "gunicorn.conf.py", "quizsite.wsgi:application"]'
    )


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_requirements() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as {name: (pinned version, hashes)}; anything else fails the test."""
    text = (ROOT / "requirements.lock").read_text()
    logical = re.sub(r"\\\n", " ", "\n".join(line.split("#")[0] for line in text.splitlines()))
    locked = {}
    for line in filter(None, (line.strip() for line in logical.splitlines())):
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})+)", line)
        assert match, f"requirements.lock: not a hashed == pin: {line[:120]}"
        name, version, hashes = match.groups()
        locked[normalized(name)] = (version, hashes.split())
    return locked


def test_every_dependency_is_pinned_with_hashes_in_the_lock():
    # pyproject.toml keeps ranges for development; the image installs only the lock, so a
    # dependency added or re-ranged there without `make lock` must fail here.
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    locked = locked_requirements()
    assert len(dependencies) >= 10
    for dependency in map(Requirement, dependencies):
        name = normalized(dependency.name)
        assert name in locked, f"{dependency.name} is not in requirements.lock: run `make lock`"
        version, hashes = locked[name]
        assert hashes, f"{dependency.name} has no --hash in requirements.lock"
        assert dependency.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {dependency.name}=={version}, outside {dependency}: "
            "run `make lock`"
        )


def test_dockerignore_keeps_the_lock_in_the_build_context():
    patterns = [
        line.strip().lstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns  # the file is read, and it is not empty
    assert not [pattern for pattern in patterns if fnmatch("requirements.lock", pattern)]


def documented_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def read_variables() -> set[str]:
    names = set()
    for path in [ROOT / "quizsite" / "settings.py", ROOT / "gunicorn.conf.py"]:
        names |= set(re.findall(r"(?:environ\.get|env_\w+)\(\s*\"([A-Z0-9_]+)\"", path.read_text()))
    compose_text = (ROOT / "docker-compose.yml").read_text()
    names |= set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", compose_text))
    return names


def test_env_example_documents_every_variable_the_code_reads():
    read = read_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SECURE_HSTS_SECONDS"} <= read
    assert read - documented_variables() == set()


def test_gunicorn_config_and_wsgi_application_load(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(PRODUCTION_ENV, DATA_DIR=str(tmp_path), WEB_CONCURRENCY="3")
    gunicorn = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    result = subprocess.run(
        [*gunicorn, "--print-config", "quizsite.wsgi:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = dict(re.findall(r"^(\w+)\s*=\s*(.*)$", result.stdout, flags=re.MULTILINE))
    assert config["workers"] == "3"
    assert config["preload_app"] == "True"
    # Threaded workers: one slow client must not block a whole worker (see gunicorn.conf.py).
    assert config["worker_class"] == "gthread"
    assert config["threads"] == "4"
    assert config["bind"] == "['0.0.0.0:8000']"
    loaded = subprocess.run(
        [sys.executable, "-c", "from quizsite.wsgi import application; print(type(application))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "WSGIHandler" in loaded.stdout


def test_migrate_on_start_leaves_nothing_unapplied(tmp_path):
    assert run_manage(tmp_path, "migrate", "--no-input").returncode == 0
    check = run_manage(tmp_path, "migrate", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    models_match = run_manage(tmp_path, "makemigrations", "--check", "--dry-run")
    assert models_match.returncode == 0, models_match.stdout


def test_createcachetable_creates_the_rate_limit_table_once(tmp_path):
    assert run_manage(tmp_path, "migrate", "--no-input").returncode == 0
    missing = run_manage(tmp_path, "createcachetable", "--dry-run")
    assert 'CREATE TABLE "quizsite_rate_limits"' in missing.stdout
    assert run_manage(tmp_path, "createcachetable").returncode == 0
    # Safe to run on every start: nothing left to create, and a second run succeeds.
    again = run_manage(tmp_path, "createcachetable", "--dry-run")
    assert again.returncode == 0 and "CREATE TABLE" not in again.stdout
    assert run_manage(tmp_path, "createcachetable").returncode == 0
