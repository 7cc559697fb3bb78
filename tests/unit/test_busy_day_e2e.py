"""The issue's evidence, end to end: two real servers, the centre on PostgreSQL and the van on a
SQLite file, joined by a TCP proxy the test controls. The van enrols with a one-time code and
pulls its event, then works a small but complete busy day offline through its own HTTP API and
services (kiosk tickets, calls, service, a no-show, a referral, SKM surveys, a complaint with a
photo, an application opened at the counter and moved on, the day closed). Its sync is cut in
the middle of a push; the van says so and keeps its backlog; once the link is back a sync
completes. Then every row the van owns is at the centre exactly once, equal field by field; a
re-sync changes nothing; and the centre's figures for the event equal the van's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from satupintu.accounts import service as accounts
from satupintu.applications import service as apps
from satupintu.applications.schemas import ApplicationIn
from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.errors import DomainError, ValidationFailed
from satupintu.feedback import complaint_service as cs
from satupintu.feedback import service as feedback
from satupintu.feedback.complaint_schemas import ComplaintIn
from satupintu.feedback.schemas import SurveyIn
from satupintu.feedback.skm import KEYS, Regulation
from satupintu.migrate import upgrade
from satupintu.models import Base
from satupintu.oversight import service as oversight
from satupintu.queueing import service as queue
from satupintu.scope import SYSTEM
from satupintu.staffing import service as staffing
from satupintu.staffing.schemas import AssignmentIn
from satupintu.timeutil import utcnow
from satupintu.unit import capture, link
from satupintu.unit.models import CentreLink
from satupintu.unit.ownership import Owner, tables_owned_by
from satupintu.unit.rows import encode_row
from tests.conftest import DEMO_PASSWORD, LiveServer, token_for
from tests.feedback import files
from tests.unit.proxy import CuttingProxy

EVENT = "plaza-lematang"
CONTACT = {"contact_name": "Rina (sopir unit)", "contact_email": "rina@lahatkab.go.id"}
NIK = "1604011208850001"


@pytest.fixture
def linked(bare_server: LiveServer, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer, CuttingProxy]]:
    """The centre (bare_server), a proxy in front of it, and the van's own server on a fresh
    SQLite file, enrolled through the proxy with a one-time code made by the centre's manager."""
    proxy = CuttingProxy(bare_server.port)
    url = f"sqlite:///{tmp_path / 'van.db'}"
    upgrade(url)
    van_db = Database(url)
    _assign_clerk(bare_server.app.state.db)
    with bare_server.client() as c:
        r = c.post(f"/api/v1/sites/{EVENT}/unit/codes", headers=token_for(c, "pengelola"), json=CONTACT)
        assert r.status_code == 201, r.text
    status, applied = link.enrol(van_db, proxy.url, r.json()["code"], "Laptop Van 1")
    assert status.event_code == EVENT and applied.written["counters"] >= 6 and applied.written["users"] >= 1
    with LiveServer(van_db) as van:
        yield bare_server, van, proxy
    proxy.close()
    van_db.dispose()


def _assign_clerk(centre: Database) -> None:
    """At the centre, the manager assigns the DPMPTSP officer to the event's desk 1 for an hour
    (one the mall's roster leaves free): their account then comes down to the van."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    officer = next(o for o in staffing.list_officers(centre, SYSTEM, "lahat") if o.username == "petugas.dpmptsp")
    for hour in range(6, 23):
        try:
            staffing.assign_at_event(centre, SYSTEM, EVENT, AssignmentIn(
                officer_id=officer.id, counter=1, date=today, start=f"{hour:02}:00", end=f"{hour + 1:02}:00"))
            return
        except ValidationFailed:
            continue  # at the mall then, or the event is closed: the next hour
    raise AssertionError("no free hour for the DPMPTSP officer at the event")


def _busy_day(van: LiveServer) -> dict[str, Any]:
    """The van's day, with no link: at its kiosk (HTTP) 8 tickets, counter 2 calls and serves
    five, one visitor does not come, one is referred to Dinsos and served there; three surveys;
    a complaint with a photo; an application opened at counter 1 and verified; the day closed."""
    db: Database = van.app.state.db
    officer = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    with van.client() as c:
        auth = token_for(c, "pengelola")
        tickets = []
        for service in ["DKC-01"] * 6 + ["DPM-01"] * 2:
            r = c.post(f"/api/v1/sites/{EVENT}/tickets", headers=auth, json={"service": service, "channel": "kiosk"})
            assert r.status_code == 201, r.text
            tickets.append(r.json())
        for number in (1, 2, 4):
            assert c.post(f"/api/v1/sites/{EVENT}/counters/{number}/open", headers=auth).status_code == 200
        served = []
        for i in range(5):
            r = c.post(f"/api/v1/sites/{EVENT}/counters/2/call-next", headers=auth)
            assert r.status_code == 200 and r.json(), r.text
            if i == 1:  # nobody came
                assert c.post(f"/api/v1/sites/{EVENT}/counters/2/no-show", headers=auth).status_code == 200
                continue
            assert c.post(f"/api/v1/sites/{EVENT}/counters/2/start", headers=auth).status_code == 200
            if i == 3:  # the visitor also needs social assistance
                r = c.post(f"/api/v1/sites/{EVENT}/counters/2/refer", headers=auth,
                           json={"service": "SOS-01", "note": "Ajukan bantuan sosial"})
                assert r.status_code == 200, r.text
                continue
            assert c.post(f"/api/v1/sites/{EVENT}/counters/2/finish", headers=auth).status_code == 200
            served.append(r.json())
        for step in ("call-next", "start", "finish"):  # Dinsos serves the referred visitor
            assert c.post(f"/api/v1/sites/{EVENT}/counters/4/{step}", headers=auth).status_code == 200
        # Counter 1 serves a DPMPTSP visitor, who hands in an application.
        first_dpm = c.post(f"/api/v1/sites/{EVENT}/counters/1/call-next", headers=auth).json()
        for step in ("start", "finish"):
            assert c.post(f"/api/v1/sites/{EVENT}/counters/1/{step}", headers=auth).status_code == 200
    opened = apps.open_application(db, officer, EVENT, ApplicationIn.model_validate(
        {"service": "DPM-01", "applicant_name": "Siti Aminah", "nik": NIK, "documents_received": [0],
         "ticket_id": first_dpm["id"]}))
    clerk = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)  # came down: assigned to the event
    moved = apps.take_action(db, clerk, EVENT, opened.application.id, "verifikasi")
    assert moved.state != opened.application.state
    answers = {k: v for k, v in zip(KEYS[Regulation.permenpanrb_14_2017], [4, 3, 4, 4, 3, 4, 4, 3, 4], strict=True)}
    for t in served[:3]:
        visit = uuid.UUID(t["visit_id"])
        feedback.submit_survey(db, uuid.UUID(t["id"]), feedback.survey_code(visit), SurveyIn(answers=answers))
    complaint = cs.file_complaint(db, EVENT, ComplaintIn(
        title="Tenda panas", body="Kipas angin di tenda kedua mati sejak pagi.", reporter_name="Budi Santoso",
        reporter_contact="0812-1111-2222"), "kiosk", attachments=[("tenda.png", files.png((48, 48)))])
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    closed = _close_day(db, officer, today)
    return {"tickets": tickets, "complaint": complaint.tracking_code, "application": opened.application.id,
            "closed": closed, "day": today}


def _close_day(db: Database, officer: Any, day: Any) -> Any:
    return queue.close_day(db, officer, EVENT, day, "Layanan keliling hari ini selesai")


def _event_rows(db: Database) -> dict[str, dict[str, dict[str, Any]]]:
    """Every row of the event in the tables OWNERSHIP gives the unit, by table and primary key."""
    event_id = catalogue.get_site(db, EVENT).id
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with db.read() as s:
        conn = s.connection()
        for table in capture.up_tables():
            rows = conn.execute(select(table).where(capture._site_filter(table, event_id))).all()
            out[table.name] = {"/".join(str(r._mapping[c.name]) for c in table.primary_key.columns):
                               encode_row(table, r) for r in rows}
    return out


def _figures(db: Database, day: Any, moment: datetime) -> tuple[Any, ...]:
    """The event's figures the dashboard shows: the summary from the rollups and exactly from the
    records (visitors, waits, service times, SKM index, complaints, applications)."""
    return (oversight.summary(db, SYSTEM, EVENT, day, day, as_of=moment),
            oversight.summary(db, SYSTEM, EVENT, day, day, as_of=moment, exact=True))


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_busy_day_at_the_van_reaches_the_centre_once_through_a_cut_link(
        linked: tuple[LiveServer, LiveServer, CuttingProxy]) -> None:
    """The van's staff see the sync fail when the 4G drops mid-push ('Pusat tidak dapat
    dihubungi') with records still waiting; after the link returns, one sync sends the rest and
    the centre holds the van's day exactly as the van does, with the same dashboard figures."""
    centre_server, van_server, proxy = linked
    centre: Database = centre_server.app.state.db
    van: Database = van_server.app.state.db
    assert centre.url.startswith("postgresql") and van.url.startswith("sqlite")
    day = _busy_day(van_server)
    assert day["closed"].closed_tickets >= 1  # the DPMPTSP visitor still waiting went home
    unit = _event_rows(van)
    expected = {"visits", "tickets", "ticket_events", "ticket_sequences", "counter_states", "counter_attendance",
                "queue_day_closes", "survey_responses", "complaints", "complaint_events", "complaint_attachments",
                "applications", "application_events", "audit_log"}
    assert {name for name, rows in unit.items() if rows} >= expected
    assert set(unit) == set(tables_owned_by(Owner.unit))

    # The link drops after about half the day has gone up (batches of 25 rows).
    with van.read() as s:
        conn = s.connection()
        row_count = capture.backlog(conn, 0)
        bodies = [capture.as_json(capture.payload(conn, b, "x"))
                  for b in capture.batches(capture.changed_rows(conn, catalogue.get_site(van, EVENT).id, 0,
                                                                capture.head(conn)), 25)]
    assert len(bodies) >= 3
    proxy.cut_after(sum(len(b) for b in bodies) // 2)
    with pytest.raises(DomainError) as cut:
        link.push(van, batch_size=25)
    assert cut.value.code == "centre_unreachable" and proxy.cuts == 1
    st = link.status(van)
    assert st is not None and st.last_error and "tidak dapat dihubungi" in st.last_error
    assert st.backlog == row_count and st.last_push_at is None
    tickets = Base.metadata.tables["tickets"]
    with centre.read() as s:
        landed = s.scalar(select(func.count()).select_from(tickets).where(
            tickets.c.site_id == catalogue.get_site(centre, EVENT).id))
    assert landed is not None and landed > 0  # the first batches were committed before the cut

    proxy.restore()
    pushed, _ = link.sync(van)
    assert not pushed.refused and pushed.sent >= row_count
    assert sum(pushed.unchanged.values()) >= 25  # what the centre had kept from before the cut
    st = link.status(van)
    assert st is not None and st.backlog == 0 and st.last_error is None

    # Every row the van owns is at the centre exactly once, equal field by field.
    unit, at_centre = _event_rows(van), _event_rows(centre)
    for name, rows in unit.items():
        if name == "audit_log":  # the centre also keeps its own entries for the event (the code made, the pushes)
            assert {k: at_centre[name].get(k) for k in rows} == rows, name
        else:
            assert at_centre[name] == rows, name
    with centre.read() as s:
        for name in ("tickets", "complaints", "applications"):
            table = Base.metadata.tables[name]
            ids = [r["id"] for r in unit[name].values()]
            assert s.scalar(select(func.count()).select_from(table).where(
                table.c.id.in_([table.c.id.type.python_type(i) for i in ids]))) == len(ids)

    # A re-sync changes nothing: nothing to send, and a replay of everything writes nothing.
    again, applied = link.sync(van)
    assert again.sent == 0 and not again.refused and applied.total == 0
    with van.write() as s:
        s.execute(update(CentreLink).values(pushed_seq=0))
    replay = link.push(van)
    assert replay.written == {} and not replay.refused and sum(replay.unchanged.values()) == replay.sent
    after = _event_rows(centre)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in at_centre.items()
                                                                   if k != "audit_log"}
    assert {k: after["audit_log"].get(k) for k in unit["audit_log"]} == unit["audit_log"]

    # The centre's figures for the event equal the van's.
    moment = utcnow() + timedelta(minutes=1)
    van_figures, centre_figures = _figures(van, day["day"], moment), _figures(centre, day["day"], moment)
    assert van_figures == centre_figures
    exact = centre_figures[1]
    assert exact.tickets >= 9 and exact.outcomes["no_show"] == 1 and exact.referred_in == 1
    assert exact.skm.respondents == 3 and exact.complaints.received == 1
    assert exact.applications.received == 1
