"""Complaints: each transition, each illegal one, deadlines in working days, escalation, privacy."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.accounts import service as accounts
from satupintu.errors import Conflict, Forbidden, ValidationFailed
from satupintu.feedback import complaint_service as cs
from satupintu.feedback import complaints as rules
from satupintu.feedback.complaint_schemas import ComplaintIn, ReporterStepIn, StepIn
from satupintu.feedback.complaints import Privacy, Severity, State, Step
from satupintu.feedback.models import Complaint
from tests.conftest import DEMO_PASSWORD, token_for
from tests.feedback import files


def test_the_flow_and_who_takes_each_step():
    assert rules.next_state(State.received, Step.verify) == (State.verified, "manager")
    assert rules.next_state(State.assigned, Step.answer) == (State.answered, "agency")
    assert rules.next_state(State.answered, Step.reopen) == (State.in_follow_up, "reporter")


@given(st.sampled_from(list(State)), st.sampled_from(list(Step)))
def test_steps_outside_the_flow_are_refused(state, step):
    if (state, step) in rules.FLOW:
        return
    with pytest.raises(rules.IllegalStep):
        rules.next_state(state, step)


def test_overdue_and_due_soon():
    now = datetime(2026, 11, 23, 3, tzinfo=UTC)
    assert rules.timing(State.received, now - timedelta(minutes=1), now).overdue
    assert rules.timing(State.verified, now + timedelta(days=1), now).due_soon
    assert not rules.timing(State.closed, now - timedelta(days=9), now).overdue


@pytest.fixture
def db(bare_demo_db):
    """The demo without its past weeks: these tests follow the only complaints on the desk."""
    return bare_demo_db


def file(db, privacy=Privacy.normal, **kw):
    data = ComplaintIn(title="Antrian tidak tertib", body="Nomor saya dilewati dua kali di loket 4.",
                       reporter_name="Budi Santoso", reporter_contact="0812-1111-2222", privacy=privacy, **kw)
    return cs.file_complaint(db, "lahat", data, "web").tracking_code


def complaint_id(db, code):
    with db.read() as s:
        from sqlalchemy import select

        return s.scalar(select(Complaint.id).where(Complaint.tracking_code == code))


def test_full_lifecycle_with_deadlines_in_working_days(db):
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    admin = accounts.authenticate(db, "admin.dukcapil", DEMO_PASSWORD)
    code = file(db)
    tracked = cs.track(db, code)
    assert tracked.state is State.received and tracked.reporter_name is None  # not on the tracking page
    # Verification is due at the end of the third working day after receipt.
    assert (tracked.verify_due_at - tracked.received_at) >= timedelta(days=3)
    cid = complaint_id(db, code)
    v = cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.verify, severity=Severity.high))
    assert v.state is State.verified and v.due_at is not None and v.severity is Severity.high
    with pytest.raises(Forbidden):  # the agency cannot assign itself
        cs.take_step(db, admin, "lahat", cid, StepIn(step=Step.assign, agency="DUKCAPIL"))
    cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.assign, agency="DUKCAPIL"))
    cs.take_step(db, admin, "lahat", cid, StepIn(step=Step.follow_up, note="Sedang dicek rekaman CCTV"))
    with pytest.raises(ValidationFailed) as err:
        cs.take_step(db, admin, "lahat", cid, StepIn(step=Step.answer))
    assert err.value.field == "note"
    cs.take_step(db, admin, "lahat", cid, StepIn(step=Step.answer, note="Mohon maaf, petugas sudah ditegur."))
    reopened = cs.reporter_step(db, code, ReporterStepIn(step="reopen", note="Masih terjadi hari ini"))
    assert reopened.state is State.in_follow_up
    cs.take_step(db, admin, "lahat", cid, StepIn(step=Step.answer, note="Sistem pemanggilan diperbaiki."))
    closed = cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.close))
    assert closed.state is State.closed
    steps = [e.step for e in cs.track(db, code).events]
    assert steps == ["file", "verify", "assign", "follow_up", "answer", "reopen", "answer", "close"]


def test_illegal_steps_and_rejection_need_a_reason(db):
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    cid = complaint_id(db, file(db))
    with pytest.raises(Conflict) as err:
        cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.close))
    assert err.value.code == "illegal_transition"
    with pytest.raises(ValidationFailed):
        cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.not_authority))
    done = cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.not_authority,
                                                          note="Kewenangan BPN, silakan ke kantor pertanahan."))
    assert done.state is State.not_authority and "BPN" in done.reason
    with pytest.raises(Conflict):
        cs.reporter_step(db, cs.track(db, done.tracking_code).tracking_code, ReporterStepIn(step="reopen", note="x1"))


def test_overdue_complaints_escalate_once(db):
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    cid = complaint_id(db, file(db))
    with db.write() as s:  # received a week ago: verification is overdue
        c = s.get(Complaint, cid)
        c.verify_due_at = c.received_at - timedelta(days=1)
    assert [v.id for v in cs.staff_list(db, manager, "lahat", "overdue")] == [cid]
    assert cs.escalate_overdue(db) == 1
    assert cs.escalate_overdue(db) == 0
    assert cs.staff_list(db, manager, "lahat")[0].escalated


def test_anonymous_and_secret_reports_stay_private(db):
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    anon = complaint_id(db, file(db, Privacy.anonymous))
    secret_code = file(db, Privacy.secret)
    cs.take_step(db, manager, "lahat", anon, StepIn(step=Step.verify))
    cs.take_step(db, manager, "lahat", complaint_id(db, secret_code), StepIn(step=Step.verify))
    public = cs.public_list(db, "lahat")
    assert len(public) == 1 and public[0].reporter_name == "Anonim" and public[0].tracking_code is None
    assert "Budi" not in public[0].model_dump_json()
    assert secret_code not in str([p.model_dump() for p in public])
    cs.take_step(db, manager, "lahat", anon, StepIn(step=Step.assign, agency="DUKCAPIL"))
    seen_by_agency = [v for v in cs.staff_list(db, officer, "lahat") if v.id == anon][0]
    assert seen_by_agency.reporter_name == "Anonim" and seen_by_agency.reporter_contact is None
    seen_by_manager = [v for v in cs.staff_list(db, manager, "lahat") if v.id == anon][0]
    assert seen_by_manager.reporter_name == "Budi Santoso"
    # The reporter with the code still sees a secret report.
    assert cs.track(db, secret_code).title == "Antrian tidak tertib"


def test_a_named_report_needs_a_name_and_an_unknown_code_is_404(db):
    with pytest.raises(ValidationFailed) as err:
        cs.file_complaint(db, "lahat", ComplaintIn(title="Judul aduan", body="Isi aduan yang cukup panjang"), "web")
    assert err.value.field == "reporter_name"
    from satupintu.errors import NotFound

    with pytest.raises(NotFound):
        cs.track(db, "ADU-NOPE")


def test_complaints_over_http_and_the_lapor_export(fresh_server):
    with fresh_server.client() as c:
        made = c.post("/api/v1/sites/lahat/complaints", json={
            "title": "AC ruang tunggu mati", "body": "Ruang tunggu sangat panas sejak pagi.", "kind": "aspirasi",
            "privacy": "anonim", "reporter_contact": "0812-9999-0000"})
        assert made.status_code == 201
        code = made.json()["tracking_code"]
        assert c.get(f"/api/v1/complaints/{code}").json()["state"] == "diterima"
        assert c.get("/api/v1/sites/lahat/complaints").status_code == 401
        auth = token_for(c, "pengelola")
        csv_text = c.get("/api/v1/sites/lahat/complaints.lapor.csv", headers=auth).content.decode("utf-8-sig")
        assert "Kode Pelacakan" in csv_text and code in csv_text and "Anonim" in csv_text
        assert "0812-9999-0000" not in csv_text
        bad = c.post("/api/v1/sites/lahat/complaints", json={"title": "x", "body": "y"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "title"
        unknown = c.post(f"/api/v1/sites/lahat/complaints/{uuid.uuid4()}/steps", headers=auth, json={"step": "verify"})
        assert unknown.status_code == 404


PNG = files.png()
PDF = files.pdf()


def test_attachments_are_checked_by_content_and_size(db):
    code = file(db)
    made = cs.attach(db, code, "foto antrian.png", PNG)
    assert made.content_type == "image/png" and made.size == len(PNG)
    cs.attach(db, code, "surat.pdf", PDF)
    for name, data in [("virus.png", b"MZ\x90\x00binary"), ("besar.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))]:
        with pytest.raises(ValidationFailed) as err:
            cs.attach(db, code, name, data)
        assert err.value.field == "file"
    for _ in range(3):
        cs.attach(db, code, "x.png", PNG)
    with pytest.raises(Conflict):
        cs.attach(db, code, "satu-lagi.png", PNG)
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    cid = complaint_id(db, code)
    name, content_type, data = cs.attachment(db, manager, "lahat", cid, made.id)
    assert (name, content_type, data) == ("lampiran-1.png", "image/png", PNG)
    with pytest.raises(Forbidden):  # not assigned to this officer's agency
        cs.attachment(db, officer, "lahat", cid, made.id)


def test_a_site_sets_its_own_deadlines(db):
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    days = cs.set_deadline_days(db, manager, "lahat", {Severity.normal: 10})
    assert days == {"darurat": 2, "tinggi": 5, "sedang": 10, "kompleks": 60}
    cid = complaint_id(db, file(db))
    v = cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.verify))
    assert v.due_at - v.received_at >= timedelta(days=12)  # ten working days, with weekends between
    with pytest.raises(ValidationFailed):
        cs.set_deadline_days(db, manager, "lahat", {Severity.urgent: 0})
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    with pytest.raises(Forbidden):
        cs.set_deadline_days(db, officer, "lahat", {Severity.urgent: 1})


def test_escalation_runs_from_the_command_line(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, SATUPINTU_DATABASE_URL=f"sqlite:///{tmp_path / 'e.db'}")
    subprocess.run([sys.executable, "-m", "satupintu", "migrate"], env=env, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "satupintu", "escalate"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "0 pengaduan diteruskan" in out.stdout


def test_rejection_needs_a_reason_and_ends_the_complaint(db):
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    cid = complaint_id(db, file(db))
    v = cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.reject, note="Laporan tidak memuat kejadian."))
    assert v.state is State.rejected and v.reason.startswith("Laporan tidak")
    with pytest.raises(Conflict):
        cs.take_step(db, manager, "lahat", cid, StepIn(step=Step.verify))


def test_verification_deadline_skips_the_christmas_holidays(db, monkeypatch):
    # Filed on Wednesday 23 Dec 2026 (WIB): 24 Dec is cuti bersama, 25 Dec Christmas, then a weekend,
    # so three working days end on Wednesday 30 Dec.
    received = datetime(2026, 12, 23, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(cs, "utcnow", lambda: received)
    code = file(db)
    due = cs.track(db, code).verify_due_at
    assert due == datetime(2026, 12, 30, 17, 0, tzinfo=UTC)  # midnight WIB after 30 Dec


def test_a_kiosk_complaint_needs_a_real_device_token(fresh_server):
    body = {"title": "Layar rusak", "body": "Layar panggilan di lantai satu mati.", "reporter_name": "Sari"}
    with fresh_server.client() as c:
        forged = c.post("/api/v1/sites/lahat/complaints", json=body, headers={"X-Device-Token": "dev_forged"})
        assert forged.status_code == 401
        auth = token_for(c, "pengelola")
        token = c.post("/api/v1/sites/lahat/devices", headers=auth, json={"kind": "kiosk", "name": "K"}).json()["token"]
        ok = c.post("/api/v1/sites/lahat/complaints", json=body, headers={"X-Device-Token": token})
        assert ok.status_code == 201
        listed = c.get("/api/v1/sites/lahat/complaints", headers=auth).json()
        assert listed[-1]["title"] == "Layar rusak"  # the newest (the demo has past weeks' complaints)
