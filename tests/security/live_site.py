"""The project served by a real gunicorn from a temporary SQLite file, and a minimal browser.

For tests about what only separate processes show: a crash and restart, counters shared by
several workers.
"""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PORTS = range(18100, 18200)  # these tests' own port range on the shared machine


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    # All taken: any port the system hands out will do.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """The project served by gunicorn from a temporary SQLite file, as in production."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None):
        self.folder = folder
        self.database = folder / "site.sqlite3"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"}
        } | {
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DATA_DIR": str(folder),
            "STATIC_ROOT": str(folder / "static"),
            "SECRET_KEY": "crash-test-secret-key-crash-test-secret-key",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no HTTPS redirect, cookies without the Secure flag.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None
        self.port = free_port()

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def prepare(self) -> None:
        """What a deployment runs before gunicorn starts."""
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("createcachetable")
        self.manage("collectstatic", "--no-input", "-v", "0")

    def start(self, *, workers: int = 2, access_log: Path | None = None) -> None:
        # A new port for each start: the last one, freed by a kill, may be taken meanwhile
        # by another test's server, whose 404s would then look like this site's.
        self.port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "quizsite.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--log-level", "warning",
        ]  # fmt: skip
        if access_log:
            # The serving worker's process id first, so a test can tell the workers apart.
            command += ["--access-logfile", str(access_log)]
            command += ["--access-logformat", "%(p)s %(m)s %(U)s %(s)s"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: killed together, nothing else
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/"), timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None:
                    raise AssertionError(self.process.stderr.read().decode()) from None
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer within 30 s")

    def kill(self, sig: int) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, forms."""

    def __init__(self, site: Site):
        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.site.url(path), timeout=10) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, str, str]:
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        data = urllib.parse.urlencode([("csrfmiddlewaretoken", token), *fields]).encode()
        request = urllib.request.Request(
            self.site.url(path),
            data=data,
            headers={"X-CSRFToken": token, "Referer": self.site.url(path)},
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()
