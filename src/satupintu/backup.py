"""Backups and restores of the whole database, with the engines' own tools.

SQLite: the online backup API (sqlite3.Connection.backup), which copies a consistent snapshot
while the app keeps serving, WAL included; a restore copies the backup's pages back the same
way, so connections still open see the restored database. PostgreSQL: pg_dump in its custom
format (one consistent snapshot, compressed) and pg_restore with --clean --if-exists
--single-transaction: the restore happens whole or not at all. Neither keeps owners or grants
(--no-owner --no-acl), so a backup restores into another server's database of another role.

The password never reaches the command line (ps shows it): it goes to the tools in PGPASSWORD.
Contact data stays encrypted in the backup (secretbox.py): keep SATUPINTU_DATA_KEYS apart from it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupFailed(RuntimeError):
    pass


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupFailed("an in-memory SQLite database has nothing to back up")
    return path


def _pg(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries it."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password is not None:
        env["PGPASSWORD"] = str(u.password)
    uri = u.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return found


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupFailed(f"{Path(cmd[0]).name} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database at `url` to `target` (replaced if it exists)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")  # never a half-written backup under the real name
    partial.unlink(missing_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    else:
        uri, env = _pg(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", f"--file={partial}", f"--dbname={uri}"],
             env)
    os.replace(partial, target)


def restore(url: str, source: Path) -> None:
    """Replace the database at `url` by the backup in `source` (made by `backup`)."""
    if not source.is_file():
        raise BackupFailed(f"no backup file at {source}")
    if make_url(url).get_backend_name() == "sqlite":
        with source.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise BackupFailed(f"{source} is not a SQLite backup")
        path = _sqlite_path(url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(path, timeout=30)
        try:
            backup_db.backup(dest)
        finally:
            dest.close()
            backup_db.close()
        return
    uri, env = _pg(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          "--exit-on-error", f"--dbname={uri}", str(source)], env)
