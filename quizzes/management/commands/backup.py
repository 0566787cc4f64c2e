"""Back up the database: pg_dump on PostgreSQL, a JSON dump of every row otherwise."""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from quizzes.management.commands._database import (
    default_backup_path,
    is_postgres,
    is_sqlite,
    pg_connection_args,
    pg_tool,
    sqlite_copy,
)

# Rebuilt by `migrate` on restore, or worthless in a backup (sessions expire anyway).
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]


class Command(BaseCommand):
    help = (
        "Back up the database to a file: a pg_dump custom archive (.dump) on PostgreSQL, "
        "an exact copy (.sqlite3) on SQLite, or with --format json a portable JSON dump of "
        "every row (timestamps to the millisecond). Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Where to write (default: $DATA_DIR/backups/<timestamp>.dump|.sqlite3|.json).",
        )
        parser.add_argument(
            "--format",
            choices=["native", "json"],
            default="native",
            help="native: pg_dump or an SQLite copy; json: JSON, loadable into any database.",
        )

    def handle(self, *args, **options):
        kind = options["format"]
        if kind == "native":
            kind = "pg_dump" if is_postgres() else "sqlite" if is_sqlite() else "json"
        suffix = {"pg_dump": ".dump", "sqlite": ".sqlite3", "json": ".json"}[kind]
        target = Path(options["output"]) if options["output"] else default_backup_path(suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed at the end: never a half-written backup.
        partial = target.with_name(target.name + ".partial")
        try:
            if kind == "pg_dump":
                self._pg_dump(partial)
            elif kind == "sqlite":
                self.stdout.write("Copying the SQLite database...")
                connection.ensure_connection()
                copy = sqlite3.connect(partial)
                try:
                    sqlite_copy(connection.connection, copy)
                    # One self-contained file, without -wal/-shm companions.
                    copy.execute("PRAGMA journal_mode=DELETE")
                finally:
                    copy.close()
            else:
                self.stdout.write("Dumping every row as JSON...")
                call_command(
                    "dumpdata",
                    natural_foreign=True,
                    natural_primary=True,
                    exclude=EXCLUDED,
                    output=str(partial),
                    verbosity=0,
                )
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        size = target.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target} ({size:,} bytes)."))

    def _pg_dump(self, path: Path) -> None:
        args, env = pg_connection_args()
        self.stdout.write("Running pg_dump...")
        result = subprocess.run(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
