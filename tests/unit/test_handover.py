"""Hand-over to the centre, over real HTTP: a complaint filed at the van reaches the centre, whose
manager works it there; the van's manager, not yet synced, also acts on it. The van's sync
reports that step refused ('Pusat sudah menangani') and keeps it on the status page; the pull
brings the centre's state down with a hand-over mark; from then on the van refuses any change
to it with 'Pengaduan ini sudah ditangani pusat; perubahan dilakukan di pusat.' and no longer
sends it. Nothing is lost: the van keeps its own step, the centre keeps its work."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from satupintu.accounts import service as accounts
from satupintu.applications import service as apps
from satupintu.applications.schemas import ApplicationIn
from satupintu.db import Database
from satupintu.errors import DomainError
from satupintu.feedback import complaint_service as cs
from satupintu.feedback.complaint_schemas import ComplaintIn, ReporterStepIn, StepIn
from satupintu.feedback.complaints import Severity, Step
from satupintu.feedback.models import Complaint, ComplaintEvent
from satupintu.handovers import MESSAGES, HandedOver
from satupintu.migrate import upgrade
from satupintu.models import Base
from satupintu.unit import capture, handover, link
from satupintu.unit import service as unit_service
from satupintu.unit.models import CentreLink
from satupintu.unit.rows import encode_row
from satupintu.web.i18n import gettext
from tests.conftest import DEMO_PASSWORD, LiveServer, token_for
from tests.feedback import files

EVENT = "plaza-lematang"
CONTACT = {"contact_name": "Rina (sopir unit)", "contact_email": "rina@lahatkab.go.id"}


@pytest.fixture
def van(bare_server: LiveServer, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'van.db'}"
    upgrade(url)
    db = Database(url)
    with bare_server.client() as c:
        r = c.post(f"/api/v1/sites/{EVENT}/unit/codes", headers=token_for(c, "pengelola"), json=CONTACT)
        assert r.status_code == 201, r.text
    link.enrol(db, bare_server.url, r.json()["code"], "Laptop Van 1")
    yield db
    db.dispose()


def _manager(db: Database) -> Any:
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


def _rows(db: Database, table: str, column: str, value: Any) -> dict[str, dict[str, Any]]:
    t = Base.metadata.tables[table]
    with db.read() as s:
        return {str(r.id): encode_row(t, r) for r in s.execute(select(t).where(t.c[column] == value))}


def file_and_push(van: Database) -> tuple[str, Any]:
    """A visitor files a complaint with a photo at the van's kiosk; the van pushes it."""
    code = cs.file_complaint(van, EVENT, ComplaintIn(
        title="Antrean tidak tertib", body="Nomor saya dilewati di meja 2.", reporter_name="Budi Santoso",
        reporter_contact="0812-1111-2222"), "kiosk", attachments=[("antrean.png", files.png((64, 64)))]).tracking_code
    assert link.push(van).written.get("complaints") == 1
    with van.read() as s:
        cid = s.scalar(select(Complaint.id).where(Complaint.tracking_code == code))
    return code, cid


def centre_answers(centre: Database, cid: Any) -> None:
    """At the centre: verified, assigned to Dukcapil, answered."""
    manager = _manager(centre)
    cs.take_step(centre, manager, EVENT, cid, StepIn(step=Step.verify, severity=Severity.high))
    cs.take_step(centre, manager, EVENT, cid, StepIn(step=Step.assign, agency="DUKCAPIL"))
    cs.take_step(centre, accounts.authenticate(centre, "admin.dukcapil", DEMO_PASSWORD), EVENT, cid,
                 StepIn(step=Step.answer, note="Petugas meja 2 sudah kami tegur; maaf atas ketidaknyamanannya."))


def test_the_centre_answers_a_complaint_from_the_van_and_the_van_stops_changing_it(
        bare_server: LiveServer, van: Database) -> None:
    """The van's manager sees the centre's answer after a sync, with the complaint marked as
    handled by the centre; their own earlier step is listed as refused with the reason; any new
    step, a reporter's reply or a photo added at the van is refused with the Indonesian message
    (English on the English pages); the van's step is kept, and the van no longer sends the
    complaint."""
    centre: Database = bare_server.app.state.db
    code, cid = file_and_push(van)
    centre_answers(centre, cid)
    # Not synced yet: the van's manager also verifies it (the van still owns it, as far as it knows).
    cs.take_step(van, _manager(van), EVENT, cid, StepIn(step=Step.verify, severity=Severity.normal))
    own_step = set(_rows(van, "complaint_events", "complaint_id", cid)) - set(
        _rows(centre, "complaint_events", "complaint_id", cid))
    assert len(own_step) == 1

    pushed, applied = link.sync(van)
    assert {(r.table, r.code) for r in pushed.refused} == {("complaints", "handed_over"),
                                                          ("complaint_events", "handed_over")}
    assert applied.written.get("complaints") == 1
    # The centre's state came down, whole: the complaint and every step the centre took.
    at_centre = _rows(centre, "complaints", "id", cid)
    assert _rows(van, "complaints", "id", cid) == at_centre
    assert at_centre[str(cid)]["state"] == "dijawab" and "tegur" in at_centre[str(cid)]["answer"]
    centre_steps = _rows(centre, "complaint_events", "complaint_id", cid)
    van_steps = _rows(van, "complaint_events", "complaint_id", cid)
    assert {k: van_steps[k] for k in centre_steps} == centre_steps
    assert set(van_steps) - set(centre_steps) == own_step  # nothing lost: the van's own step stays
    handed = unit_service.handed_over_records(van)
    assert [(h.table, h.id, h.label, h.state) for h in handed] == [("complaints", cid, code, "dijawab")]
    assert (handed[0].kind, handed[0].state_label) == ("Pengaduan", "Dijawab")  # what the van's staff read
    assert unit_service.handed_over_records(van, "en")[0].state_label == "Answered"
    refused = unit_service.refused_rows(van)
    assert {(r.table, r.code) for r in refused} == {("complaints", "handed_over"), ("complaint_events", "handed_over")}
    assert all("sudah menangani" in r.reason for r in refused)

    # From now on the van refuses to change it, whoever asks.
    message = "Pengaduan ini sudah ditangani pusat; perubahan dilakukan di pusat."
    attempts = [lambda: cs.take_step(van, _manager(van), EVENT, cid, StepIn(step=Step.close)),
                lambda: cs.reporter_step(van, code, ReporterStepIn(step="reopen", note="Belum beres.")),
                lambda: cs.attach(van, code, "lagi.png", files.png((32, 32)))]
    for attempt in attempts:
        with pytest.raises(DomainError) as refused_here:
            attempt()
        assert refused_here.value.code == "handed_over" and refused_here.value.message == message
    assert gettext("en", MESSAGES["complaints"]).startswith("The centre is handling this complaint")
    assert _rows(van, "complaints", "id", cid) == at_centre

    # Another sync sends nothing of it and changes nothing at the centre; the centre can still close it.
    again, _ = link.sync(van)
    assert not again.refused and "complaints" not in again.written and "complaints" not in again.unchanged
    st = link.status(van)
    assert st is not None and st.backlog == 0
    cs.take_step(centre, _manager(centre), EVENT, cid, StepIn(step=Step.close))
    link.sync(van)
    assert _rows(van, "complaints", "id", cid) == _rows(centre, "complaints", "id", cid)
    assert [h.state for h in unit_service.handed_over_records(van)] == ["selesai"]
    with centre.read() as s:
        van_only = [uuid.UUID(i) for i in own_step]
        assert s.scalar(select(ComplaintEvent.id).where(ComplaintEvent.id.in_(van_only))) is None


def test_an_application_the_centre_moved_on_is_handed_over_to_it(bare_server: LiveServer, van: Database) -> None:
    """An application opened at the van's desk reaches the centre with its history; the centre's
    officer verifies it there; after the van's sync it shows the centre's state and the van's
    officer cannot move it any more ('Permohonan ini sudah ditangani pusat')."""
    centre: Database = bare_server.app.state.db
    officer_van = _manager(van)
    opened = apps.open_application(van, officer_van, EVENT, ApplicationIn.model_validate(
        {"service": "DPM-01", "applicant_name": "Siti Aminah", "nik": "1604011208850001",
         "documents_received": [0]}))
    app_id = opened.application.id
    first = link.push(van)
    assert first.written.get("applications") == 1
    assert _rows(centre, "applications", "id", app_id) == _rows(van, "applications", "id", app_id)
    # At the centre the agency's officer verifies it (a new history row of the centre's).
    apps.take_action(centre, accounts.authenticate(centre, "petugas.dpmptsp", DEMO_PASSWORD), EVENT, app_id,
                     "verifikasi")
    link.sync(van)
    assert _rows(van, "applications", "id", app_id) == _rows(centre, "applications", "id", app_id)
    with pytest.raises(DomainError) as refused:
        apps.set_documents(van, officer_van, EVENT, app_id, [0, 1])
    assert refused.value.code == "handed_over" and "Permohonan ini sudah ditangani pusat" in refused.value.message
    with van.read() as s:
        assert handover.handed_over_ids(s.connection(), "applications") == {app_id}
        assert s.get(HandedOver, ("applications", app_id)) is not None
        assert capture.backlog(s.connection(), 0) > 0  # the van's history of it is still kept
    handed = unit_service.handed_over_records(van)
    assert [(h.kind, h.state, h.state_label) for h in handed] == [("Permohonan", "diverifikasi", "Diverifikasi")]
    # The van's officer opening it reads who works it now and is offered no action.
    seen = apps.get_application(van, officer_van, EVENT, app_id)
    assert seen.handed_over and seen.actions == [] and seen.state_label == "Diverifikasi"
    assert not apps.get_application(centre, accounts.authenticate(centre, "petugas.dpmptsp", DEMO_PASSWORD),
                                    EVENT, app_id).handed_over  # the centre has no marks



def test_a_complaint_filed_at_the_centre_never_travels_to_the_van(bare_server: LiveServer, van: Database) -> None:
    """A complaint about the event filed online at the centre stays at the centre: the bundle the
    van fetches with its key carries the complaints that came up from the van and none other, so
    the contact of a visitor who never came to the van is not sent to it."""
    centre: Database = bare_server.app.state.db
    _, from_van = file_and_push(van)
    at_centre = cs.file_complaint(centre, EVENT, ComplaintIn(
        title="Informasi jadwal", body="Jadwal unit bergerak minggu depan belum diumumkan.",
        reporter_name="Sari Dewi", reporter_contact="sari.dewi@contoh.id"), "web")
    with centre.read() as s:
        centre_only = s.scalar(select(Complaint.id).where(Complaint.tracking_code == at_centre.tracking_code))
    with van.read() as s:
        key = s.scalar(select(CentreLink.api_key))
    with bare_server.client() as c:
        r = c.get(f"/api/v1/sites/{EVENT}/unit/bundle", headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    sent = r.json()["handover"]["complaints"]
    assert {row["id"] for row in sent["rows"]} == {str(from_van)}
    assert str(centre_only) not in r.text and "sari.dewi@contoh.id" not in r.text
    pushed, _ = link.sync(van)
    assert not pushed.refused
    with van.read() as s:
        assert s.scalar(select(Complaint.id).where(Complaint.id == centre_only)) is None
