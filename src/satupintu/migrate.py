"""Alembic, configured from code so an installed package can migrate itself."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from .config import PACKAGE_DIR


class NotMigrated(RuntimeError):
    pass


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_migrated(engine: Engine, url: str) -> None:
    """Refuse to run on a database that is not at the newest migration."""
    current = current_revision(engine)
    head = head_revision(url)
    if current != head:
        state = "kosong (belum pernah dimigrasi)" if current is None else f"pada revisi {current}"
        raise NotMigrated(
            f"Basis data {state}, sedangkan aplikasi membutuhkan revisi {head}. "
            "Jalankan perintah: satupintu migrate  "
            f"(database is {'unmigrated' if current is None else 'at ' + current}; "
            "run `satupintu migrate` first)"
        )
