"""Command line: `satupintu migrate | demo | voice build | serve | create-user | check | escalate | notify |
data-key | backup | restore | retention | oversight rollup`."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import typer

from .config import get_settings

app = typer.Typer(help="SatuPintu — platform Mal Pelayanan Publik", no_args_is_help=True, add_completion=False)
voice_app = typer.Typer(help="The display board's recorded voice", no_args_is_help=True)
app.add_typer(voice_app, name="voice")
oversight_app = typer.Typer(help="Oversight figures: the kept daily rollups", no_args_is_help=True)
app.add_typer(oversight_app, name="oversight")
unit_app = typer.Typer(help="The mobile service unit: enrol with the centre, then sync", no_args_is_help=True)
app.add_typer(unit_app, name="unit")


AGENCY_OPTION = typer.Option(None, help="An agency short name to record (repeatable)")


@voice_app.command("build")
def voice_build(agency: list[str] | None = AGENCY_OPTION,
                from_database: bool = typer.Option(False, help="Also record every agency short name in the database")
                ) -> None:
    """Write the board's Indonesian clips (espeak-ng -v id) into the static voice folder."""
    from .queueing import voice_build as vb

    names = list(agency or [])
    if from_database:
        from .catalogue.service import agency_short_names
        from .db import Database

        db = Database.from_settings(get_settings())
        with db.read() as s:
            names += agency_short_names(s)
    try:
        keys = vb.build(agencies=names)
    except vb.EngineMissing as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(3) from exc
    typer.echo(f"{len(keys)} rekaman suara papan ditulis ke {vb.VOICE_DIR}.")


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema (Alembic upgrade head)."""
    from .migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    typer.echo("Basis data sudah pada skema terbaru.")


@app.command()
def demo(serve: bool = typer.Option(False, help="Start the server after loading"),
         host: str = "127.0.0.1", port: int = 8000) -> None:
    """Migrate, load the illustrative demo data (MPP Kabupaten Lahat), optionally serve."""
    from .db import Database
    from .demo.devices import pair_demo_devices
    from .demo.loader import load_demo
    from .migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    db = Database.from_settings(settings)
    password = load_demo(db, settings.demo_password)
    addresses = pair_demo_devices(db, f"http://{host}:{port}") if password is not None else []
    db.dispose()
    if password is None:
        typer.echo("Data demo sudah ada; tidak ada yang diubah.")
    else:
        typer.echo("Data demo dimuat. Akun demo: overseer, pengelola, admin.dukcapil, petugas.dukcapil, "
                   "petugas.dpmptsp")
        if settings.demo_password is None:
            typer.echo(f"Kata sandi demo (acak, simpan sekarang): {password}")
            Path(".demo-password").write_text(password + "\n")
            typer.echo("Kata sandi juga disimpan di berkas .demo-password")
        typer.echo("Perangkat demo sudah dipasangkan. Buka tiap alamat sekali di perangkatnya (tautan sekali pakai, "
                   "berlaku 7 hari):")
        for label, address in addresses:
            typer.echo(f"  {label}: {address}")
    if serve:
        _serve(host, port, workers=1)


def _raise_open_files() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):  # not allowed here: the soft limit stays
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from .logs import stdlib_config
    from .migrate import NotMigrated

    # The server's own log follows SATUPINTU_LOG_LEVEL. Its access log is off: it writes full
    # URLs, NIKs and phone numbers included; the front door logs each request instead, masked and
    # with its request id (web/frontdoor.py). proxy_headers: behind a reverse proxy listed in
    # SATUPINTU_FORWARDED_ALLOW_IPS (passed to uvicorn, default 127.0.0.1), X-Forwarded-For and
    # X-Forwarded-Proto give the client's address and scheme (so cookies are Secure over HTTPS).
    # The client address (rate limits, login backoff) is X-Forwarded-For only from these proxies.
    # backlog 4096 (uvicorn's default is 2048) and the open-files soft limit raised to its hard
    # limit: each live board holds a connection, and one process holds 5,000 of them, all
    # reconnecting at once after a restart (bench/sse_bench.py).
    _raise_open_files()
    options: dict[str, Any] = {"host": host, "port": port, "proxy_headers": True, "access_log": False,
                               "forwarded_allow_ips": get_settings().forwarded_allow_ips,
                               "log_level": get_settings().log_level.lower(), "backlog": 4096,
                               # uvicorn's own lines (start, errors with their tracebacks) as JSON, masked
                               "log_config": stdlib_config(get_settings().log_level)}
    try:
        if workers > 1:
            uvicorn.run("satupintu.asgi:app", workers=workers, **options)
        else:
            from .app import create_app

            uvicorn.run(create_app(), **options)
    except NotMigrated as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the app (refuses to start on an unmigrated database)."""
    _serve(host, port, workers)


@app.command()
def check() -> None:
    """Exit 0 when the database is migrated, 2 (with the command to run) when not."""
    from .db import Database
    from .migrate import NotMigrated, ensure_migrated

    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        ensure_migrated(db.engine, db.url)
    except NotMigrated as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo("OK")


@app.command("create-user")
def create_user(username: str, full_name: str, role: str, site: str = typer.Option(None),
                agency: str = typer.Option(None)) -> None:
    """Create an account (the password is asked for, never passed on the command line)."""
    from .accounts import service as accounts
    from .db import Database
    from .errors import DomainError
    from .roles import Role
    from .scope import SYSTEM

    password = typer.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)
    db = Database.from_settings(get_settings())
    try:
        user = accounts.create_user(db, SYSTEM, accounts.UserIn(
            username=username, full_name=full_name, password=password, role=Role(role), site=site, agency=agency))
    except DomainError as exc:
        typer.echo(f"{exc.field or ''}: {exc.message}", err=True)
        for d in exc.details:
            typer.echo(f"  {d.field}: {d.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Akun {user.username} dibuat.")


@app.command()
def escalate() -> None:
    """Escalate overdue complaints to their site managers (run it from cron, e.g. hourly)."""
    from .db import Database
    from .events import make_bus
    from .feedback.complaint_service import escalate_overdue

    settings = get_settings()
    db = Database.from_settings(settings)
    bus = make_bus(settings.redis_url, settings.event_stream_maxlen)
    try:
        typer.echo(f"{escalate_overdue(db, bus)} pengaduan diteruskan ke pengelola MPP.")
    finally:
        bus.close()
        db.dispose()


def _shown(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("backup")
def backup_command(path: Path) -> None:
    """Write a consistent backup of the database to PATH while the app keeps serving (SQLite's
    online backup API; pg_dump's custom format on PostgreSQL)."""
    from .backup import BackupFailed, backup

    url = get_settings().database_url
    try:
        backup(url, path)
    except BackupFailed as exc:
        typer.echo(f"Cadangan gagal: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Cadangan basis data {_shown(url)} ditulis ke {path} ({path.stat().st_size} bita).")


@app.command("restore")
def restore_command(path: Path, yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation")) -> None:
    """Replace the database by the backup at PATH (everything since the backup is lost). Stop the
    app processes first; after it, the database is at the backup's migration: run `satupintu
    migrate` if this code is newer."""
    from .backup import BackupFailed, restore
    from .db import Database
    from .migrate import current_revision

    url = get_settings().database_url
    if not yes and not typer.confirm(f"Ganti seluruh isi basis data {_shown(url)} dengan cadangan {path}?"):
        raise typer.Exit(1)
    try:
        restore(url, path)
    except BackupFailed as exc:
        typer.echo(f"Pemulihan gagal: {exc}", err=True)
        raise typer.Exit(1) from exc
    db = Database(url)
    try:
        revision = current_revision(db.engine)
    finally:
        db.dispose()
    typer.echo(f"Basis data dipulihkan dari {path} (revisi skema {revision}).")


@app.command("retention")
def retention_command(dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; change nothing")
                      ) -> None:
    """Remove ticket events, audit entries and settled webhook deliveries older than the
    SATUPINTU_RETENTION_* settings, in small batches while the app keeps serving; never a day a
    report still reads raw (settled days are rolled up and kept first). Run it nightly."""
    from . import retention
    from .db import Database

    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        out = retention.run(db, settings, dry_run=dry_run)
    finally:
        db.dispose()
    verb = "akan dihapus" if dry_run else "dihapus"
    typer.echo(f"Peristiwa antrean {verb}: {out.ticket_events}")
    typer.echo(f"Catatan audit {verb}: {out.audit_entries}")
    typer.echo(f"Pengiriman webhook {verb}: {out.webhook_deliveries}")
    typer.echo(f"Hari yang direkap lebih dulu: {out.rollups_kept}")
    if dry_run:
        typer.echo("Uji coba: tidak ada yang diubah.")


@app.command("data-key")
def data_key() -> None:
    """Print a new key for SATUPINTU_DATA_KEYS (contact data encrypted at rest). To rotate,
    put it first and keep the old keys after it: SATUPINTU_DATA_KEYS=new,old."""
    from .secretbox import new_key

    typer.echo(new_key())


@oversight_app.command("rollup")
def oversight_rollup(site: str = typer.Option(None, help="A site's code (default: every site)"),
                     since: str = typer.Option(None, help="The first local day, YYYY-MM-DD (default: the first ticket)")
                     ) -> None:
    """Roll up and keep every settled day (closed and over) again, e.g. after a migration or a
    late import; figures otherwise keep missing days themselves the first time they are read."""
    from datetime import date

    from .db import Database
    from .errors import DomainError
    from .oversight.service import rebuild

    first = None
    if since:
        try:
            first = date.fromisoformat(since)
        except ValueError:
            typer.echo("--since: tanggal harus berbentuk YYYY-MM-DD.", err=True)
            raise typer.Exit(2) from None
    db = Database(get_settings().database_url)
    try:
        typer.echo(f"{rebuild(db, site, first)} hari direkap.")
    except DomainError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()


def main() -> None:  # pragma: no cover
    sys.exit(app())


@app.command()
def notify(once: bool = typer.Option(False, help="Send what is due now, then exit")) -> None:
    """Send queued notifications to citizens. App processes do this themselves unless
    SATUPINTU_NOTIFY_WORKER=false; then run this (one or more) as separate workers."""
    import signal
    import threading

    from .db import Database
    from .integration.idempotency_service import forget_expired
    from .notify.channels import build_channels
    from .notify.worker import NotificationWorker
    from .queueing.bookings import forget_past_contacts

    settings = get_settings()
    db = Database.from_settings(settings)
    worker = NotificationWorker(db, build_channels(settings), settings,
                                housekeeping=[forget_past_contacts, forget_expired])
    try:
        if once:
            worker.keep_house()
            typer.echo(worker.run_once())
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        worker.start()
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the worker like SIGTERM does
            stop.wait()
        worker.stop()
    finally:
        db.dispose()


def _summary(applied: object) -> str:
    from .unit.bundle import Applied

    assert isinstance(applied, Applied)
    if not applied.total:
        return "tidak ada perubahan"
    parts = [f"{table} {n}" for table, n in sorted(applied.written.items())]
    parts += [f"{table} -{n}" for table, n in sorted(applied.removed.items())]
    return ", ".join(parts)


@unit_app.command("enrol")
def unit_enrol(url: str = typer.Argument(..., help="The centre's address, e.g. https://mpp.lahatkab.go.id"),
               code: str = typer.Argument(..., help="The one-time code from the centre's unit page"),
               name: str = typer.Option("", help="A name for this laptop (default: its host name)")) -> None:
    """Enrol this install as the unit of one mobile event, then pull the event's data."""
    import socket

    from .db import Database
    from .errors import DomainError
    from .unit import link

    db = Database.from_settings(get_settings())
    try:
        found, applied = link.enrol(db, url, code, name or socket.gethostname())
        typer.echo(f"Terdaftar untuk acara {found.event_code} di {found.centre_url}.")
        typer.echo(f"Diterima dari pusat: {_summary(applied)}.")
    except DomainError as exc:
        typer.echo(f"{exc.field or 'unit'}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()


FIRST_REFUSED = 5  # the summary lists this many refused rows by id; the counts cover all of them


def _push_summary(pushed: object) -> list[str]:
    from .unit.link import Pushed, refusal_counts

    assert isinstance(pushed, Pushed)
    if not pushed.sent:
        return ["Dikirim ke pusat: tidak ada yang baru."]
    written = ", ".join(f"{t} {n}" for t, n in sorted(pushed.written.items())) or "tidak ada"
    lines = [f"Dikirim ke pusat: {pushed.sent} baris dalam {pushed.batches} kiriman; ditulis: {written}; "
             f"sudah ada: {sum(pushed.unchanged.values())}; ditolak: {len(pushed.refused)}."]
    if pushed.refused:
        reasons = {r.code: r.reason for r in pushed.refused}
        lines.append("Ditolak menurut alasan:")
        lines += [f"  {code}: {n} ({reasons[code]})" for code, n in refusal_counts(pushed.refused).items()]
        lines += [f"  ditolak {r.table} {r.id}: {r.code}" for r in pushed.refused[:FIRST_REFUSED]]
        if len(pushed.refused) > FIRST_REFUSED:
            lines.append(f"  ... dan {len(pushed.refused) - FIRST_REFUSED} lainnya.")
    return lines


class _SyncBar:
    """A progress bar on stderr over the push batches, then the pull (link.Progress)."""

    LABELS = {"push": "Mengirim ke pusat  ", "pull": "Mengambil dari pusat"}

    def __init__(self) -> None:
        self.bar: Any = None
        self.stage = ""
        self.shown = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or self.bar is None:
            self.close()
            self.stage, self.shown = stage, 0
            self.bar = typer.progressbar(length=max(total, 1), label=self.LABELS.get(stage, stage),
                                         file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        if done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@unit_app.command("sync")
def unit_sync() -> None:
    """Push what the unit recorded, then pull what changed at the centre, with a progress bar;
    then a summary: sent, received, refused and why. Waits for no other sync: one at a time."""
    from .db import Database
    from .errors import DomainError
    from .unit import link

    db = Database.from_settings(get_settings())
    bar = _SyncBar()
    try:
        try:
            pushed, applied = link.sync(db, progress=bar)
        finally:
            bar.close()
        for line in _push_summary(pushed):
            typer.echo(line)
        typer.echo(f"Diterima dari pusat: {_summary(applied)}.")
    except DomainError as exc:
        typer.echo(f"{exc.field or 'unit'}: {exc.message}", err=True)
        found = link.status(db)
        if found is not None and found.backlog:
            typer.echo(f"Catatan menunggu dikirim: {found.backlog} (tetap tersimpan di laptop ini).", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
