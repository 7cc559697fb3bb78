"""Applications through the service layer and the API, on SQLite and PostgreSQL: opened from a
served ticket, moved through the workflow with a paused clock, listed when overdue, followed
publicly without personal data, and the applicant notified through the outbox."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.applications import service as apps
from satupintu.applications.models import Application
from satupintu.applications.schemas import ApplicationIn
from satupintu.applications.tracking import is_valid_tracking_number
from satupintu.catalogue import service as catalogue
from satupintu.config import Settings
from satupintu.errors import DomainError, Forbidden, ValidationFailed
from satupintu.notify.channels import build_channels
from satupintu.notify.models import Notification
from satupintu.notify.worker import NotificationWorker
from satupintu.queueing import service as queue
from satupintu.workdays import due_at
from tests.conftest import DEMO_PASSWORD, token_for

NIK = "1604011208850001"  # Kabupaten Lahat, born 12-08-1985, male


def served_ticket(db):  # type: ignore[no-untyped-def]
    """A visitor took a DPMPTSP ticket at the kiosk and was served at counter 1."""
    site = catalogue.get_site(db, "lahat")
    officer = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)
    queue.open_counter(db, officer, "lahat", 1)
    t = queue.issue_ticket(db, queue.Issuer(label="kios", site_id=site.id), "lahat", "DPM-01")
    while True:  # earlier tests may have left tickets waiting: serve until ours is done
        called = queue.call_next(db, officer, "lahat", 1)
        queue.start_serving(db, officer, "lahat", 1)
        queue.finish(db, officer, "lahat", 1)
        if called.id == t.id:
            return t


def opened(db, **extra):  # type: ignore[no-untyped-def]
    officer = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)
    data = {"service": "DPM-03", "applicant_name": "Siti Aminah", "nik": NIK, "documents_received": [0, 1], **extra}
    return officer, apps.open_application(db, officer, "lahat", ApplicationIn.model_validate(data))


def test_an_officer_opens_an_application_from_a_served_ticket_with_a_five_working_day_deadline(demo_db):
    t = served_ticket(demo_db)
    _, out = opened(demo_db, ticket_id=str(t.id))
    a = out.application
    assert is_valid_tracking_number(out.tracking_number)
    assert a.state == "diterima" and a.ticket_number == t.number
    assert a.nik_masked == "1604**********01" and NIK not in json.dumps(a.model_dump(mode="json"))
    assert [d.received for d in a.documents][:3] == [True, True, False]
    assert a.due_at == due_at(a.received_at, 5, "Asia/Jakarta")  # Izin Reklame: 5 hari kerja
    assert a.standard == "5 hari kerja"
    assert a.due_day == (a.due_at - timedelta(seconds=1)).astimezone(ZoneInfo("Asia/Jakarta")).date()
    assert a.due_day.weekday() < 5  # citizens read the last working day, not midnight after it
    assert [act.name for act in a.actions] == ["verifikasi", "minta_perbaikan", "tolak"]


def test_an_invalid_nik_is_refused_naming_the_field_and_nothing_is_stored(demo_db):
    with demo_db.read() as s:
        before = s.scalar(select(func.count()).select_from(Application))
    for bad, code in (("1604011208850000", "nik_serial"), ("9904011208850001", "nik_province"),
                      ("1604013102850001", "nik_birth_date"), ("16040112088500", "nik_length")):
        with pytest.raises(ValidationFailed) as err:
            opened(demo_db, nik=bad)
        assert err.value.details[0].field == "nik" and err.value.details[0].code == code
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == before


def test_the_workflow_pauses_the_clock_while_waiting_for_the_applicant_and_keeps_every_step(demo_db):
    officer, out = opened(demo_db)
    app_id, due = out.application.id, out.application.due_at
    apps.take_action(demo_db, officer, "lahat", app_id, "verifikasi")
    with pytest.raises(DomainError) as err:  # a repair request must say what to repair
        apps.take_action(demo_db, officer, "lahat", app_id, "minta_perbaikan")
    assert err.value.field == "note"
    paused = apps.take_action(demo_db, officer, "lahat", app_id, "minta_perbaikan", "Lampirkan foto lokasi reklame")
    assert paused.paused and paused.due_at is None and paused.state == "perlu_perbaikan"
    back = apps.take_action(demo_db, officer, "lahat", app_id, "kirim_perbaikan")
    assert back.state == "diverifikasi" and not back.paused
    assert back.due_at >= due  # a same-day pause costs no working day; it never shortens the deadline
    for action in ("proses", "selesaikan", "serahkan"):
        view = apps.take_action(demo_db, officer, "lahat", app_id, action)
    assert view.state == "diambil" and view.finished_at is not None and view.actions == []
    assert [h.state for h in view.history] == ["diterima", "diverifikasi", "perlu_perbaikan", "diverifikasi",
                                               "diproses", "selesai", "diambil"]
    assert all(h.by == "petugas.dpmptsp" for h in view.history)
    with pytest.raises(DomainError) as err:
        apps.take_action(demo_db, officer, "lahat", app_id, "proses")
    assert err.value.code == "illegal_transition"

    public = apps.track(demo_db, view.tracking_number.lower().replace("-", " "))
    assert public.applicant_name is None and public.nik_masked is None and public.documents is None
    assert all(h.by is None for h in public.history)
    assert "Lampirkan foto lokasi reklame" in [h.note for h in public.history]  # the applicant must know why
    assert public.deadline_status == "on_time"


def test_a_nik_or_phone_an_officer_writes_in_a_public_note_is_masked_on_the_tracking_page(demo_db):
    officer, out = opened(demo_db)
    app_id = out.application.id
    apps.take_action(demo_db, officer, "lahat", app_id, "verifikasi")
    note = f"NIK {NIK} di formulir tidak sama dengan KTP; hubungi 0812-3456-7890"
    apps.take_action(demo_db, officer, "lahat", app_id, "minta_perbaikan", note)
    public = " ".join(h.note for h in apps.track(demo_db, out.tracking_number).history)
    assert "tidak sama dengan KTP" in public and "1604**********01" in public
    assert NIK not in public and "0812-3456-7890" not in public
    # staff see the note as written
    assert note in [h.note for h in apps.get_application(demo_db, officer, "lahat", app_id).history]


def test_another_agencys_officer_can_neither_open_nor_work_the_application(demo_db):
    _, out = opened(demo_db)
    other = accounts.authenticate(demo_db, "petugas.dukcapil", DEMO_PASSWORD)
    with pytest.raises(Forbidden):
        apps.open_application(demo_db, other, "lahat", ApplicationIn.model_validate(
            {"service": "DPM-03", "applicant_name": "Budi", "nik": NIK}))
    with pytest.raises(Forbidden):
        apps.take_action(demo_db, other, "lahat", out.application.id, "verifikasi")
    assert all(a.agency != out.application.agency for a in apps.staff_list(demo_db, other, "lahat"))


def test_overdue_applications_are_listed_first_and_count_against_the_on_time_rate(demo_db):
    officer, out = opened(demo_db)
    with demo_db.write() as s:  # received three weeks ago: five working days have long passed
        row = s.get(Application, out.application.id)
        row.received_at = row.received_at - timedelta(days=21)
        row.due_at = due_at(row.received_at, 5, "Asia/Jakarta")
    overdue = apps.staff_list(demo_db, officer, "lahat", only="overdue")
    assert overdue[0].id == out.application.id and overdue[0].deadline_status == "overdue"
    for action in ("verifikasi", "proses", "selesaikan"):
        apps.take_action(demo_db, officer, "lahat", out.application.id, action)
    manager = accounts.authenticate(demo_db, "pengelola", DEMO_PASSWORD)
    row = next(r for r in apps.on_time_report(demo_db, manager, "lahat") if r.service_code == "DPM-03")
    assert row.finished >= 2 and row.on_time == row.finished - 1
    assert 0 < row.on_time_rate < 1


def test_the_applicant_who_agreed_is_notified_of_each_change_and_the_message_is_delivered(demo_db):
    officer, out = opened(demo_db, phone="0812-3456-7890", notify=True)
    apps.take_action(demo_db, officer, "lahat", out.application.id, "verifikasi")
    with demo_db.read() as s:
        rows = [(r.channel, r.body, r.recipient_masked) for r in s.scalars(
            select(Notification).where(Notification.reference == out.tracking_number)
            .order_by(Notification.created_at))]
    assert [channel for channel, _, _ in rows] == ["sms", "sms"]
    assert "Diverifikasi" in rows[1][1] and out.tracking_number in rows[1][1]
    assert rows[0][2] == "0812*****890" and "081234567890" not in rows[0][2] and NIK not in rows[0][1]
    settings = Settings(database_url=demo_db.url, secret_key="uji", notify_channels="outbox")
    NotificationWorker(demo_db, build_channels(settings), settings).run_once()
    with demo_db.read() as s:
        delivered = {(r.status, r.delivered_via) for r in s.scalars(
            select(Notification).where(Notification.reference == out.tracking_number))}
    assert delivered == {("sent", "outbox")}


def test_notify_without_a_phone_or_email_is_refused_naming_the_field(demo_db):
    with pytest.raises(ValidationFailed) as err:
        opened(demo_db, notify=True)
    assert [d.field for d in err.value.details] == ["notify"]


def test_an_agency_admin_gives_a_service_its_own_workflow_and_a_broken_one_is_refused(demo_db):
    admin = accounts.authenticate(demo_db, "pengelola", DEMO_PASSWORD)
    flow = apps.get_workflow(demo_db, "lahat", "DPM-04")
    with pytest.raises(ValidationFailed) as err:
        apps.set_workflow(demo_db, admin, "lahat", "DPM-04", {"states": {}, "actions": {}})
    assert err.value.details[0].field.startswith("definition")
    # One step fewer: ready straight after verification.
    del flow["actions"]["proses"]
    flow["actions"]["verifikasi"]["to"] = "diverifikasi"
    flow["actions"]["selesaikan"]["from"] = ["diverifikasi"]
    del flow["states"]["diproses"]
    for action in flow["actions"].values():
        action["from"] = [s for s in action["from"] if s != "diproses"]
    apps.set_workflow(demo_db, admin, "lahat", "DPM-04", flow)
    from satupintu.audit import AuditEntry
    with demo_db.read() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "service.workflow"))
        assert entry.actor_label == "pengelola" and "diproses" not in entry.after["workflow"]["states"]
    officer = accounts.authenticate(demo_db, "petugas.dpmptsp", DEMO_PASSWORD)
    out = apps.open_application(demo_db, officer, "lahat", ApplicationIn.model_validate(
        {"service": "DPM-04", "applicant_name": "dr. Rina", "nik": "1604015208850002"}))
    apps.take_action(demo_db, officer, "lahat", out.application.id, "verifikasi")
    done = apps.take_action(demo_db, officer, "lahat", out.application.id, "selesaikan")
    assert done.state == "selesai"


def test_the_api_opens_acts_and_tracks_with_machine_readable_errors(server):
    with server.client() as c:
        officer = token_for(c, "petugas.dpmptsp")
        bad = c.post("/api/v1/sites/lahat/applications", headers=officer,
                     json={"service": "DPM-03", "applicant_name": "Siti", "nik": "123"})
        assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "nik"
        r = c.post("/api/v1/sites/lahat/applications", headers=officer,
                   json={"service": "DPM-03", "applicant_name": "Siti Aminah", "nik": NIK})
        assert r.status_code == 201, r.text
        number, app_id = r.json()["tracking_number"], r.json()["application"]["id"]
        r = c.post(f"/api/v1/sites/lahat/applications/{app_id}/actions", headers=officer, json={"action": "tolak"})
        assert r.status_code == 400 and r.json()["error"]["field"] == "note"
        r = c.post(f"/api/v1/sites/lahat/applications/{app_id}/actions", headers=officer,
                   json={"action": "verifikasi"})
        assert r.json()["state"] == "diverifikasi"
        public = c.get(f"/api/v1/applications/track/{number}").json()
        assert public["state_label"] == "Diverifikasi" and public["applicant_name"] is None
        assert NIK not in json.dumps(public) and public["id"] is None
        typo = number[:-1] + ("A" if number[-1] != "A" else "B")
        r = c.get(f"/api/v1/applications/track/{typo}")
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_tracking_number"
        assert c.get("/api/v1/sites/lahat/applications?only=overdue", headers=officer).status_code == 200
        assert c.get("/api/v1/sites/lahat/applications").status_code == 401


def test_the_site_manager_sees_the_messages_sent_to_applicants_masked_and_officers_do_not(server):
    with server.client() as c:
        officer = token_for(c, "petugas.dpmptsp")
        r = c.post("/api/v1/sites/lahat/applications", headers=officer,
                   json={"service": "DPM-03", "applicant_name": "Siti Aminah", "nik": NIK,
                         "phone": "081298765432", "notify": True})
        number = r.json()["tracking_number"]
        manager = token_for(c, "pengelola")
        rows = c.get(f"/api/v1/sites/lahat/notifications?reference={number}", headers=manager).json()
        assert len(rows) == 1 and rows[0]["recipient"] == "0812*****432" and number in rows[0]["body"]
        assert "081298765432" not in json.dumps(rows)
        assert c.get("/api/v1/sites/lahat/notifications", headers=officer).status_code == 403
        assert c.get("/api/v1/sites/lahat/notifications?status=lost", headers=manager).status_code == 422
