"""The manager's feedback desks through the service layer, on SQLite and PostgreSQL: the SKM desk
for a period (index, unsur, respondent profile, paper tallies, publishing), the report on the
regency's letterhead with a signature block, and the complaint desk with Indonesian step names,
the reporter's photo and the deadline that applies."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from satupintu.accounts import service as accounts
from satupintu.errors import Forbidden, ValidationFailed
from satupintu.feedback import complaint_service as cs
from satupintu.feedback import service as feedback
from satupintu.feedback.complaint_schemas import ComplaintIn, StepIn
from satupintu.feedback.complaints import STEP_LABELS, Step, step_label
from satupintu.feedback.letterhead import letterhead, region_of
from satupintu.feedback.models import Complaint
from satupintu.feedback.periods import period_label, period_of
from satupintu.feedback.profile import Answer, profile
from satupintu.feedback.schemas import SurveyIn, TallyIn
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD
from tests.feedback import files
from tests.feedback.test_survey import K, code, served_ticket, site_today


def manager(db):  # type: ignore[no-untyped-def]
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


# ---------------------------------------------------------------- pure rules

def test_every_workflow_step_has_an_indonesian_and_an_english_name():
    for step in Step:
        assert step.value in STEP_LABELS
    assert step_label("verify") == "Verifikasi" and step_label("verify", "en") == "Verify"
    assert step_label("assign") == "Disposisikan ke instansi"
    assert step_label("something-new") == "something-new"


def test_period_names_as_a_report_writes_them():
    assert period_label("triwulan", 2026, 4) == "Triwulan IV 2026"
    assert period_label("bulan", 2026, 12) == "Desember 2026"
    assert period_label("semester", 2026, 1, "en") == "Half-year 1 2026"
    assert period_of(site_today().replace(month=12, day=1), "triwulan") == 4


def test_the_respondent_profile_counts_every_group_and_who_left_it_empty():
    groups = profile([Answer(34, "P", "d4_s1", "swasta"), Answer(19, "L", None, "pelajar"), Answer(None, None, None,
                                                                                                    None)])
    ages = {g.label: g.count for g in groups["age"]}
    assert ages["20 tahun ke bawah"] == 1 and ages["31–40 tahun"] == 1 and ages["Tidak diisi"] == 1
    assert {g.label: g.count for g in groups["sex"]} == {"Laki-laki": 1, "Perempuan": 1, "Tidak diisi": 1}
    assert [g.label for g in groups["education"]][:3] == ["SD", "SMP", "SMA/SMK"]


def test_the_letterhead_reads_the_regency_from_the_site_name_or_its_address():
    head = letterhead("MPP Kabupaten Lahat", "Jl. Letnan Amir Hamzah, Kabupaten Lahat, Sumatera Selatan",
                      site_today())
    assert head.pemda == "Pemerintah Kabupaten Lahat" and head.place == "Lahat"
    assert region_of("Mal Pelayanan Publik", "Jl. Yos Sudarso, Kota Lubuklinggau, Sumatera Selatan") == (
        "Kota", "Lubuklinggau")
    assert letterhead("MPP Keliling", "", site_today()).pemda == ""


# ---------------------------------------------------------------- the SKM desk

def test_a_manager_sees_the_month_then_a_paper_tally_changes_the_index_and_publishing_freezes_it(bare_demo_db):
    """From an empty past (the demo without its history): one answer, then a tally, set the index."""
    db = bare_demo_db
    boss = manager(db)
    t = served_ticket(db)
    feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={k: 4 for k in K}, age=34, sex="P",
                                                        education="d4_s1", occupation="swasta"))
    today = site_today()
    desk = feedback.skm_desk(db, boss, "lahat")
    # This month, as the manager opens the page.
    assert desk.kind == "bulan" and desk.number == today.month and desk.starts_on <= today <= desk.ends_on
    assert desk.report.ikm == Decimal("100.00") and desk.report.grade == "A" and desk.report.respondents == 1
    assert desk.report.profile.online == 1 and desk.report.profile.paper == 0
    assert {g.label: g.count for g in desk.report.profile.sex}["Perempuan"] == 1
    assert desk.can_publish and "DKC-01" in {s.code for s in desk.tally_services}
    assert desk.default_title.startswith("IKM MPP Kabupaten Lahat")

    feedback.enter_tally(db, boss, "lahat", TallyIn(service="DKC-01", starts_on=desk.starts_on,
                                                    ends_on=desk.ends_on, respondents=3,
                                                    tally={k: {"1": 3} for k in K}))
    after = feedback.skm_desk(db, boss, "lahat")
    assert after.report.respondents == 4 and after.report.ikm == Decimal("43.75") and after.report.grade == "D"
    assert after.report.profile.paper == 3

    feedback.publish(db, boss, "lahat", after.default_title, after.starts_on, after.ends_on)
    again = feedback.skm_desk(db, boss, "lahat")
    assert len(again.published_before) == 1
    public = feedback.published(db, "lahat")[0]
    assert public.report.ikm == Decimal("43.75") and public.report.profile.paper == 3


def test_a_period_that_does_not_exist_is_named_beside_its_field_and_the_month_is_shown(fresh_demo_db):
    desk = feedback.skm_desk(fresh_demo_db, manager(fresh_demo_db), "lahat", "triwulan", site_today().year, 7)
    assert desk.errors == {"nomor": "Untuk triwulan, pilih nomor 1 sampai 4."}
    desk = feedback.skm_desk(fresh_demo_db, manager(fresh_demo_db), "lahat", "minggu", 1990, 1)
    assert set(desk.errors) == {"periode", "tahun"} and desk.kind == "bulan"
    quarter = feedback.skm_desk(fresh_demo_db, manager(fresh_demo_db), "lahat", "triwulan", 2026, 2)
    assert (str(quarter.starts_on), str(quarter.ends_on)) == ("2026-04-01", "2026-06-30")
    assert quarter.period_label == "Triwulan II 2026"


def test_agency_staff_enter_tallies_only_for_their_own_services_and_cannot_publish(fresh_demo_db):
    admin = accounts.authenticate(fresh_demo_db, "admin.dukcapil", DEMO_PASSWORD)
    desk = feedback.skm_desk(fresh_demo_db, admin, "lahat")
    codes = {s.code for s in desk.tally_services}
    assert codes and all(c.startswith("DKC") for c in codes)
    assert not desk.can_publish
    with pytest.raises(Forbidden):
        feedback.publish(fresh_demo_db, admin, "lahat", "IKM", desk.starts_on, desk.ends_on)


def test_the_pdf_report_carries_the_letterhead_the_profile_and_a_blank_signature_block(fresh_demo_db):
    from pypdf import PdfReader

    db = fresh_demo_db
    boss = manager(db)
    t = served_ticket(db)
    feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={k: 3 for k in K}, sex="L", age=45))
    today = site_today()
    pdf = feedback.report_document(db, boss, "lahat", "pdf", today.replace(day=1), today)
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert "PEMERINTAH KABUPATEN LAHAT" in flat
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU" in flat
    assert "Jl. Letnan Amir Hamzah" in flat
    assert "Kepala Dinas Penanaman Modal dan PTSP" in flat and "NIP." in flat
    assert f"Lahat, {today.day} " in flat
    assert "Profil responden" in flat and "Laki-laki" in flat
    with pytest.raises(ValidationFailed):
        feedback.report_document(db, boss, "lahat", "pdf", today, today.replace(year=today.year - 1))


# ---------------------------------------------------------------- the complaint desk

def test_the_complaint_desk_shows_the_photo_the_deadline_that_applies_and_what_is_late(fresh_demo_db):
    db = fresh_demo_db
    boss = manager(db)
    made = cs.file_complaint(db, "lahat", ComplaintIn(title="Kursi tunggu rusak", body="Kursi baris depan patah.",
                                                      reporter_name="Budi", reporter_contact="081234567890"),
                             "web", attachments=[("foto.jpg", files.jpeg((32, 24))), ("surat.pdf", files.pdf())])
    desk = cs.desk(db, boss, "lahat")
    c = next(v for v in desk.complaints if v.tracking_code == made.tracking_code)
    assert [a.content_type for a in c.attachments] == ["image/jpeg", "application/pdf"]
    assert c.attachments[0].filename == "lampiran-1.jpg"
    assert c.deadline_kind == "verify" and c.deadline_at == c.verify_due_at and not c.overdue
    assert c.events[0].step == "file" and desk.can_export
    assert "DUKCAPIL" in {a.code for a in desk.agencies}

    late_before = {v.id for v in cs.desk(db, boss, "lahat", "overdue").complaints}
    assert c.id not in late_before
    cs.take_step(db, boss, "lahat", c.id, StepIn(step=Step.verify, severity="tinggi"))
    verified = next(v for v in cs.desk(db, boss, "lahat").complaints if v.id == c.id)
    assert verified.deadline_kind == "follow_up" and verified.deadline_at == verified.due_at
    with db.write() as s:  # the follow-up deadline passed a day ago
        s.execute(update(Complaint).where(Complaint.id == c.id).values(due_at=utcnow() - timedelta(days=1)))
    late = cs.desk(db, boss, "lahat", "overdue").complaints
    # Beside the demo's own overdue complaint (its past weeks), this one now, marked late.
    assert {v.id for v in late} == late_before | {c.id} and all(v.overdue for v in late)


def test_agency_staff_see_no_export_and_the_public_sees_no_attachments(fresh_demo_db):
    db = fresh_demo_db
    made = cs.file_complaint(db, "lahat", ComplaintIn(title="Antrean lambat", body="Menunggu dua jam di loket.",
                                                      reporter_name="Ani"), "web",
                             attachments=[("a.png", files.png())])
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    assert not cs.desk(db, officer, "lahat").can_export
    assert cs.track(db, made.tracking_code).attachments == []
