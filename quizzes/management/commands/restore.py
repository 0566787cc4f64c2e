"""Restore a backup made by `manage.py backup`, replacing the current data."""

import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from quizzes.management.commands._database import (
    PG_MAGIC,
    SQLITE_MAGIC,
    is_postgres,
    is_sqlite,
    newest_backup,
    pg_connection_args,
    pg_tool,
    sqlite_copy,
)


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup: a pg_dump archive (PostgreSQL only), an "
        "SQLite copy (SQLite only) or a JSON dump (any database), then apply any newer "
        "migrations. Without a path, the newest file in $DATA_DIR/backups/."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="The backup file.")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, **options):
        path = Path(options["path"]) if options["path"] else newest_backup()
        try:
            with path.open("rb") as file:
                head = file.read(len(SQLITE_MAGIC))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        if options["interactive"]:
            answer = input(f"Replace ALL current data with {path}? Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        if head.startswith(PG_MAGIC):
            self._pg_restore(path)
        elif head == SQLITE_MAGIC:
            self._sqlite_restore(path)
        else:
            self._load_json(path)
        # A backup from an older release gets the current schema; a JSON dump loaded into a
        # new database also needs the rate-limit counters' table, which it does not carry.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Restored {path}."))

    def _pg_restore(self, path: Path) -> None:
        if not is_postgres():
            raise CommandError(
                f"{path} is a PostgreSQL archive; this database is not PostgreSQL. "
                "Make a JSON backup with `manage.py backup --format json` to move between them."
            )
        args, env = pg_connection_args()
        self.stdout.write("Running pg_restore...")
        result = subprocess.run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed, nothing was changed: {result.stderr.strip()}")

    def _sqlite_restore(self, path: Path) -> None:
        if not is_sqlite():
            raise CommandError(
                f"{path} is an SQLite database; this database is not SQLite. "
                "Make a JSON backup with `manage.py backup --format json` to move between them."
            )
        self.stdout.write("Copying the backup over the SQLite database...")
        connection.ensure_connection()
        # The backup API replaces every page in one step; readers never see half a restore.
        backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            sqlite_copy(backup, connection.connection)
        finally:
            backup.close()

    def _load_json(self, path: Path) -> None:
        self.stdout.write("Replacing the data with the JSON backup...")
        # One transaction: if the file does not load, the wipe is undone too.
        try:
            with tempfile.TemporaryDirectory() as folder, transaction.atomic():
                # loaddata recognises fixtures by their extension, whatever the file is named.
                fixture = Path(folder) / "backup.json"
                fixture.symlink_to(path.resolve())
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(fixture), verbosity=0)
        except Exception as error:
            raise CommandError(
                f"{path} could not be loaded, nothing was changed: {error}"
            ) from error
