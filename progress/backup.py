"""Back up and restore the database: the embedded SQLite file or PostgreSQL.

SQLite: the online backup API copies a consistent snapshot while the site runs; restoring
copies a snapshot over the database file (stop the site first). PostgreSQL: `pg_dump -Fc`
(custom format, consistent, compressed) and `pg_restore --clean --if-exists --no-owner`.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections
from django.utils import timezone


class BackupError(Exception):
    pass


def default_path(alias="default", directory="var/backups"):
    """var/backups/examprep-<UTC timestamp>.<sqlite3|dump> for the database's engine."""
    suffix = "sqlite3" if connections[alias].vendor == "sqlite" else "dump"
    return Path(directory) / f"examprep-{timezone.now():%Y%m%d-%H%M%S}.{suffix}"


def _pg_env(settings_dict):
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict, name=None):
    args = ["-h", settings_dict.get("HOST") or "127.0.0.1"]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    return args + ["-d", name or settings_dict["NAME"]]


def backup(path, alias="default"):
    """Write a snapshot of database `alias` to `path`; returns the Path. Raises BackupError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return path
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        _run(
            ["pg_dump", "-Fc", "--no-owner", "-f", str(path), *_pg_args(settings_dict)],
            settings_dict,
        )
        return path
    raise BackupError(f"No backup for the {connection.vendor} engine.")


def restore(path, alias="default", database_name=None):
    """Replace database `alias` (or, for PostgreSQL, the database `database_name` on the same
    server) with the snapshot at `path`. Stop the web and worker processes first."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    connection = connections[alias]
    if connection.vendor == "sqlite":
        target = Path(database_name or connection.settings_dict["NAME"])
        connection.close()
        check = sqlite3.connect(path)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is not an intact SQLite database.")
        finally:
            check.close()
        tmp = target.with_name(target.name + ".restoring")
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)  # atomic: never a half-copied database
        return target
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *_pg_args(settings_dict, database_name),
                str(path),
            ],
            settings_dict,
        )
        return database_name or settings_dict["NAME"]
    raise BackupError(f"No restore for the {connection.vendor} engine.")


def _run(args, settings_dict):
    if shutil.which(args[0]) is None:
        raise BackupError(
            f"{args[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(args, env=_pg_env(settings_dict), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()}")
