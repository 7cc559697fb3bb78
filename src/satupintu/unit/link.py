"""At the unit: its link to the centre (enrol once, then push and pull), over HTTPS that the unit
opens.

The unit sits behind carrier NAT, so it always calls the centre, never the other way round.
The key from enrolment is kept encrypted in `unit_centre_links`; every pull and push records
when it worked or why it did not, for the van's status page. A push sends the rows changed after
the link's cursor and moves the cursor only when the centre has acknowledged every batch, so a
cut mid-push sends the same rows again next time (the centre writes each row by primary key).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select, update

from .. import __version__, audit
from ..db import Database
from ..errors import DomainError, FieldError, ValidationFailed
from ..scope import SYSTEM
from ..timeutil import utcnow
from . import capture, service
from .bundle import Applied
from .models import CentreLink

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


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
                        headers={"User-Agent": f"SatuPintu-unit/{__version__}"})


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
                          row.last_pull_at, row.last_push_at, row.last_error, row.last_error_at, waiting)


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


def pull(db: Database, transport: httpx.BaseTransport | None = None) -> Applied:
    """Fetch the event's bundle from the centre and apply it whole; a failure is recorded on the
    link (for the status page) and raised, and nothing of the bundle is written."""
    link_id, url, event_code, key = _link(db)
    try:
        try:
            with _client(transport) as http:
                r = http.get(f"{url}/api/v1/sites/{event_code}/unit/bundle", headers={"X-API-Key": key})
        except httpx.HTTPError as exc:
            raise CentreUnreachable(exc.__class__.__name__) from exc
        if r.status_code != 200:
            raise _error_of(r)
        bundle = r.json()
        applied = service.apply_bundle(db, SYSTEM, bundle)
    except DomainError as exc:
        _note(db, link_id, last_error=exc.message, last_error_at=utcnow())
        raise
    _note(db, link_id, last_pull_at=utcnow(), last_error=None, last_error_at=None,
          centre_release=str(bundle.get("release", "")))
    return applied


def push(db: Database, transport: httpx.BaseTransport | None = None, batch_size: int = capture.BATCH) -> Pushed:
    """Send the rows changed since the centre's last acknowledgement, in batches, parents first.
    The cursor moves only after every batch was answered 2xx; a failure is recorded on the link
    and raised, and the next push sends the same rows again (the centre writes each once)."""
    link_id, url, event_code, key = _link(db)
    done = Pushed()
    try:
        with db.read() as s:
            conn = s.connection()
            row = s.get(CentreLink, link_id)
            assert row is not None
            after, event_id = row.pushed_seq, row.event_id
            upto = capture.head(conn)
            bodies = [capture.as_json(capture.payload(conn, b, __version__))
                      for b in capture.batches(capture.changed_rows(conn, event_id, after, upto), batch_size)]
        try:
            with _client(transport) as http:
                for body in bodies:
                    r = http.post(f"{url}/api/v1/sites/{event_code}/unit/records", content=body,
                                  headers={"X-API-Key": key, "Content-Type": "application/json"})
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
        except httpx.HTTPError as exc:
            raise CentreUnreachable(exc.__class__.__name__) from exc
    except DomainError as exc:
        _note(db, link_id, last_error=exc.message, last_error_at=utcnow())
        raise
    done.sent = sum(done.written.values()) + sum(done.unchanged.values()) + len(done.refused)
    service.keep_refusals(db, [(r.table, r.id, r.code, r.reason) for r in done.refused])  # for the status page
    with db.write() as s:  # acknowledged: the cursor moves (never backwards)
        s.execute(update(CentreLink).where(CentreLink.id == link_id, CentreLink.pushed_seq < upto)
                  .values(pushed_seq=upto))
    _note(db, link_id, last_push_at=utcnow(), last_error=None, last_error_at=None)
    return done


def sync(db: Database, transport: httpx.BaseTransport | None = None) -> tuple[Pushed, Applied]:
    """Push the unit's records, then pull the centre's changes; when the pull wrote something
    (and so an audit entry of the unit's), push once more so the backlog is empty afterwards."""
    pushed = push(db, transport)
    applied = pull(db, transport)
    if applied.total:
        more = push(db, transport)
        pushed.sent += more.sent
        pushed.batches += more.batches
        for name, n in more.written.items():
            pushed.written[name] = pushed.written.get(name, 0) + n
        for name, n in more.unchanged.items():
            pushed.unchanged[name] = pushed.unchanged.get(name, 0) + n
        pushed.refused += more.refused
    return pushed, applied
