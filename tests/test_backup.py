"""Backup and restore drill: `satupintu backup PATH` and `satupintu restore PATH` on both databases.

The drill a site's operator runs: back up a working day, lose work after it, restore, and find
the day exactly as it was at the backup; and restore the same backup into an empty database (a
new server), which then passes `satupintu check`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from satupintu.accounts import service as accounts
from satupintu.db import Database
from satupintu.migrate import current_revision, head_revision
from satupintu.queueing import lookup, service
from satupintu.queueing.models import Ticket
from tests.conftest import DEMO_PASSWORD


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SATUPINTU_DATABASE_URL=url, SATUPINTU_SECRET_KEY="test-secret-backup")
    return subprocess.run([sys.executable, "-m", "satupintu", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def tickets(db: Database) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(Ticket.number)))


def test_a_backup_restores_the_day_as_it_was_and_into_an_empty_database(fresh_demo_db, backend, tmp_path):
    db = fresh_demo_db
    kiosk = service.Issuer(label="uji", site_id=lookup.site(db, "lahat").id)
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    for _ in range(3):
        service.issue_ticket(db, kiosk, "lahat", "DKC-01")
    at_backup = tickets(db)
    archive = tmp_path / "cadangan" / "satupintu.backup"

    made = cli(db.url, "backup", str(archive))  # while the app's own connections stay open
    assert made.returncode == 0, made.stderr
    assert "ditulis ke" in made.stdout and archive.is_file() and archive.stat().st_size > 0
    assert "test-secret" not in made.stdout

    service.open_counter(db, officer, "lahat", 4)  # work after the backup, then lost
    service.call_next(db, officer, "lahat", 4)
    service.issue_ticket(db, kiosk, "lahat", "DKC-01")
    assert tickets(db) != at_backup

    done = cli(db.url, "restore", "--yes", str(archive))
    assert done.returncode == 0, done.stderr
    assert f"revisi skema {head_revision(db.url)}" in done.stdout
    db.engine.dispose()  # connections opened before the restore
    assert tickets(db) == at_backup
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "called")) == 0

    fresh_url = backend.new_url()  # a new, empty database: the disaster-recovery case
    assert cli(fresh_url, "restore", "--yes", str(archive)).returncode == 0
    fresh = Database(fresh_url)
    try:
        assert current_revision(fresh.engine) == head_revision(fresh_url)
        assert tickets(fresh) == at_backup
        with fresh.read() as s:
            assert s.execute(text("SELECT count(*) FROM users")).scalar() > 0
    finally:
        fresh.dispose()
    assert cli(fresh_url, "check").returncode == 0


def test_restore_asks_first_and_refuses_a_file_that_is_no_backup(fresh_demo_db, tmp_path):
    db = fresh_demo_db
    bogus = tmp_path / "bukan-cadangan.txt"
    bogus.write_text("ini bukan cadangan\n")
    env = dict(os.environ, SATUPINTU_DATABASE_URL=db.url, SATUPINTU_SECRET_KEY="test-secret-backup")
    asked = subprocess.run([sys.executable, "-m", "satupintu", "restore", str(bogus)], env=env, input="n\n",
                           capture_output=True, text=True, timeout=120)
    assert asked.returncode == 1 and "Ganti seluruh isi" in asked.stdout
    refused = cli(db.url, "restore", "--yes", str(bogus))
    assert refused.returncode == 1 and "Pemulihan gagal" in refused.stderr
    missing = cli(db.url, "restore", "--yes", str(Path(tmp_path / "tidak-ada.backup")))
    assert missing.returncode == 1 and "no backup file" in missing.stderr
    assert tickets(db) is not None  # the database is untouched and still opens
