"""How the backup commands reach the database: pg_dump's connection options, file kinds."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError
from django.db import connection
from django.utils import timezone

PG_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of an SQLite database file


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def sqlite_copy(source, target) -> None:
    """Copy a whole SQLite database page by page (the online backup API): exact and
    consistent even while the site is writing."""
    source.backup(target)


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} is not on PATH; install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client)."
        )
    return path


def pg_connection_args() -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for pg_dump/pg_restore, without the password."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        # In the environment, never on the command line where `ps` shows it.
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def default_backup_path(suffix: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"{stamp}{suffix}"


def newest_backup() -> Path:
    folder = Path(settings.DATA_DIR) / "backups"
    files = sorted(
        (p for p in folder.glob("*") if p.suffix in {".dump", ".sqlite3", ".json"}),
        key=lambda p: p.stat().st_mtime,
    )
    if not files:
        raise CommandError(f"no backup given and none found in {folder}")
    return files[-1]
