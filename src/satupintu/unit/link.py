"""At the unit: its link to the centre (enrol once, then push and pull), over HTTPS that the unit
opens.

The unit sits behind carrier NAT, so it always calls the centre, never the other way round.
The key from enrolment is kept encrypted in `unit_centre_links`; every pull and push records
when it worked or why it did not, for the van's status page. A push sends the rows changed after
the link's cursor and moves the cursor only when the centre has acknowledged every batch, so a
cut mid-push sends the same rows again next time (the centre writes each row by primary key).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from .. import __version__, audit
from ..db import Database
from ..errors import DomainError, FieldError, ValidationFailed
from ..scope import SYSTEM
from ..timeutil import utcnow
from . import capture, release, service
from .bundle import Applied
from .models import CentreLink

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RELEASE = __version__  # the release this unit reports to the centre (a test may pretend another)
# progress(stage, done, total): stage "push" counts batches answered, "pull" 0 then 1 of 1.
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


class CentreUnreachable(DomainError):
    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__("centre_unreachable", f"Pusat tidak dapat dihubungi ({detail}). Data unit tetap aman; "
                                               "sinkronkan lagi saat sambungan ada.")


@dataclass(frozen=True)
class LinkStatus:
    centre_url: str
    event_code: str
    key_hint: str
    enrolled_at: datetime
    centre_release: str
    last_pull_at: datetime | None
    last_push_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    backlog: int = 0  # rows changed at the unit that the centre has not acknowledged yet
    last_contact_at: datetime | None = None  # the centre's last answer of any kind
    last_error_code: str | None = None

    @property
    def needs_upgrade(self) -> bool:
        return self.last_error_code == release.TOO_OLD


class SyncBusy(DomainError):
    status = 409

    def __init__(self) -> None:
        super().__init__("sync_busy", "Sinkronisasi lain sedang berjalan di laptop ini (otomatis atau perintah). "
                                      "Tunggu sebentar, lalu coba lagi.")


@dataclass(frozen=True)
class Refused:
    table: str
    id: str
    code: str
    reason: str


@dataclass
class Pushed:
    """What a push did: rows sent, what the centre wrote, already had, and refused (and why)."""

    sent: int = 0
    batches: int = 0
    written: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)


def _client(transport: httpx.BaseTransport | None) -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, transport=transport,
                        headers={"User-Agent": f"SatuPintu-unit/{RELEASE}", release.HEADER: RELEASE})


def _lock_path(db: Database) -> str:
    path = make_url(db.url).database
    if db.dialect == "sqlite" and path and path != ":memory:":
        return path + ".synclock"
    return os.path.join(tempfile.gettempdir(), f"satupintu-{hashlib.sha256(db.url.encode()).hexdigest()[:16]}.synclock")


@contextmanager
def sync_lock(db: Database) -> Iterator[None]:
    """One sync at a time on this install, across processes (the served app's background sync,
    the CLI, the page's button): an flock on a file beside the database; a second caller gets
    SyncBusy at once instead of pushing the same rows alongside."""
    fd = os.open(_lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyncBusy() from exc
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _error_of(response: httpx.Response) -> DomainError:
    try:
        body = response.json()["error"]
        return DomainError(str(body.get("code") or "centre_refused"), str(body.get("message") or response.text),
                           body.get("field"))
    except (ValueError, KeyError, TypeError):
        return DomainError("centre_refused", f"Pusat menolak permintaan (HTTP {response.status_code}).")


def status(db: Database) -> LinkStatus | None:
    """The link, or None before enrolment."""
    with db.read() as s:
        row = s.scalar(select(CentreLink).order_by(CentreLink.enrolled_at.desc()))
        if row is None:
            return None
        waiting = capture.backlog(s.connection(), row.pushed_seq)
        return LinkStatus(row.centre_url, row.event_code, row.key_hint, row.enrolled_at, row.centre_release,
                          row.last_pull_at, row.last_push_at, row.last_error, row.last_error_at, waiting,
                          row.last_contact_at, row.last_error_code)


def enrol(db: Database, centre_url: str, code: str, unit_name: str,
          transport: httpx.BaseTransport | None = None) -> tuple[LinkStatus, Applied]:
    """Trade the code for the unit's key, keep the link, and pull the event's bundle."""
    url = centre_url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValidationFailed([FieldError("url", "Alamat pusat harus diawali https://.", "invalid")])
    if status(db) is not None:
        raise ValidationFailed([FieldError(
            "code", "Unit ini sudah terdaftar. Satu laptop melayani satu acara; pasang ulang untuk acara lain.",
            "already_enrolled")])
    try:
        with _client(transport) as http:
            r = http.post(f"{url}/api/v1/unit/enrol", json={"code": code, "unit_name": unit_name})
    except httpx.HTTPError as exc:
        raise CentreUnreachable(exc.__class__.__name__) from exc
    if r.status_code != 201:
        raise _error_of(r)
    body = r.json()
    key = str(body["key"])
    with db.write() as s:
        link = CentreLink(centre_url=url, event_code=body["event_code"], event_id=uuid.UUID(body["event_id"]),
                          api_key=key, key_hint=key[:12], centre_release=str(body.get("centre_release", "")))
        s.add(link)
        s.flush()
        # From now on every write to the event's front-of-house tables is logged for the push.
        capture.install_triggers(s.connection())
        audit.record(s, SYSTEM, "unit.enrolled", "unit_centre_link", link.id, None, None,
                     {"centre_url": url, "event_code": link.event_code, "key_hint": link.key_hint})
    applied = pull(db, transport)
    found = status(db)
    assert found is not None
    return found, applied


def _link(db: Database) -> tuple[uuid.UUID, str, str, str]:
    with db.read() as s:
        row = s.scalar(select(CentreLink).order_by(CentreLink.enrolled_at.desc()))
        if row is None:
            raise ValidationFailed([FieldError(
                "unit", "Unit ini belum terdaftar ke pusat. Jalankan 'satupintu unit enrol ALAMAT KODE'.",
                "not_enrolled")])
        return row.id, row.centre_url, row.event_code, row.api_key


def _note(db: Database, link_id: uuid.UUID, **values: Any) -> None:
    with db.write() as s:
        row = s.get(CentreLink, link_id)
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)


class _Contact:
    """Whether the centre answered at all during one pull or push (a refusal is contact too)."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def answered(self) -> None:
        self.at = utcnow()


def _failed(db: Database, link_id: uuid.UUID, exc: DomainError, contact: _Contact) -> None:
    values: dict[str, Any] = {"last_error": exc.message, "last_error_code": exc.code, "last_error_at": utcnow()}
    if contact.at is not None:
        values["last_contact_at"] = contact.at
    _note(db, link_id, **values)


def pull(db: Database, transport: httpx.BaseTransport | None = None, progress: Progress = _quiet) -> Applied:
    """Fetch the event's bundle from the centre and apply it whole; a failure is recorded on the
    link (for the status page) and raised, and nothing of the bundle is written."""
    link_id, url, event_code, key = _link(db)
    contact = _Contact()
    progress("pull", 0, 1)
    try:
        try:
            with _client(transport) as http:
                r = http.get(f"{url}/api/v1/sites/{event_code}/unit/bundle", headers={"X-API-Key": key})
        except httpx.HTTPError as exc:
            raise CentreUnreachable(exc.__class__.__name__) from exc
        contact.answered()
        if r.status_code != 200:
            raise _error_of(r)
        bundle = r.json()
        applied = service.apply_bundle(db, SYSTEM, bundle)
    except DomainError as exc:
        _failed(db, link_id, exc, contact)
        raise
    _note(db, link_id, last_pull_at=utcnow(), last_contact_at=contact.at, last_error=None, last_error_code=None,
          last_error_at=None, centre_release=str(bundle.get("release", "")))
    progress("pull", 1, 1)
    return applied


def push(db: Database, transport: httpx.BaseTransport | None = None, batch_size: int = capture.BATCH,
         progress: Progress = _quiet) -> Pushed:
    """Send the rows changed since the centre's last acknowledgement, in batches, parents first.
    The cursor moves only after every batch was answered 2xx; a failure is recorded on the link
    and raised, and the next push sends the same rows again (the centre writes each once).
    `progress("push", answered, batches)` is called before the first batch and after each."""
    link_id, url, event_code, key = _link(db)
    done = Pushed()
    contact = _Contact()
    try:
        with db.read() as s:
            conn = s.connection()
            row = s.get(CentreLink, link_id)
            assert row is not None
            after, event_id = row.pushed_seq, row.event_id
            upto = capture.head(conn)
            bodies = [capture.as_json(capture.payload(conn, b, RELEASE))
                      for b in capture.batches(capture.changed_rows(conn, event_id, after, upto), batch_size)]
        progress("push", 0, len(bodies))
        try:
            with _client(transport) as http:
                for body in bodies:
                    r = http.post(f"{url}/api/v1/sites/{event_code}/unit/records", content=body,
                                  headers={"X-API-Key": key, "Content-Type": "application/json"})
                    contact.answered()
                    if not 200 <= r.status_code < 300:
                        raise _error_of(r)
                    reply = r.json()
                    done.batches += 1
                    for name, n in reply.get("written", {}).items():
                        done.written[name] = done.written.get(name, 0) + int(n)
                    for name, n in reply.get("unchanged", {}).items():
                        done.unchanged[name] = done.unchanged.get(name, 0) + int(n)
                    done.refused += [Refused(str(x["table"]), str(x["id"]), str(x["code"]), str(x["reason"]))
                                     for x in reply.get("refused", [])]
                    progress("push", done.batches, len(bodies))
        except httpx.HTTPError as exc:
            raise CentreUnreachable(exc.__class__.__name__) from exc
    except DomainError as exc:
        _failed(db, link_id, exc, contact)
        raise
    done.sent = sum(done.written.values()) + sum(done.unchanged.values()) + len(done.refused)
    service.keep_refusals(db, [(r.table, r.id, r.code, r.reason) for r in done.refused])  # for the status page
    with db.write() as s:  # acknowledged: the cursor moves (never backwards)
        s.execute(update(CentreLink).where(CentreLink.id == link_id, CentreLink.pushed_seq < upto)
                  .values(pushed_seq=upto))
    values: dict[str, Any] = {"last_push_at": utcnow(), "last_error": None, "last_error_code": None,
                              "last_error_at": None}
    if contact.at is not None:
        values["last_contact_at"] = contact.at
    _note(db, link_id, **values)
    return done


def sync(db: Database, transport: httpx.BaseTransport | None = None, progress: Progress = _quiet,
         batch_size: int = capture.BATCH) -> tuple[Pushed, Applied]:
    """Push the unit's records, then pull the centre's changes; when the pull wrote something
    (and so an audit entry of the unit's), push once more so the backlog is empty afterwards.
    One sync at a time per install (sync_lock): a second one raises SyncBusy."""
    with sync_lock(db):
        pushed = push(db, transport, batch_size, progress)
        applied = pull(db, transport, progress)
        if applied.total:
            more = push(db, transport, batch_size, progress)
            pushed.sent += more.sent
            pushed.batches += more.batches
            for name, n in more.written.items():
                pushed.written[name] = pushed.written.get(name, 0) + n
            for name, n in more.unchanged.items():
                pushed.unchanged[name] = pushed.unchanged.get(name, 0) + n
            pushed.refused += more.refused
    return pushed, applied


def refusal_counts(refused: list[Refused]) -> dict[str, int]:
    """How many rows were refused for each reason code, most first."""
    counts: dict[str, int] = {}
    for r in refused:
        counts[r.code] = counts.get(r.code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
