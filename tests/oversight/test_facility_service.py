"""The facilities checklist stored, on SQLite and PostgreSQL: the manager saves statuses, notes and
due dates in one go and reads the measure back; one wrong field names its row and saves nothing;
photo evidence must be a whole JPEG or PNG, at most five per facility; an officer may read but
not change the checklist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.errors import Forbidden, ValidationFailed
from satupintu.oversight import facility_service as facilities
from satupintu.oversight.models import FacilityPhoto, FacilityRow
from tests.conftest import DEMO_PASSWORD
from tests.feedback import files


def _manager(db):
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


def _rows(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(FacilityRow)) or 0


def test_the_manager_saves_the_checklist_and_reads_the_measure(fresh_demo_db):
    """Ramp partly there with a due date last week, lactation room missing without a plan, waiting room
    available: the measure counts 1 + 0.5 of the 3 recorded and every unrecorded facility as missing."""
    db = fresh_demo_db
    manager = _manager(db)
    last_week = (date.today() - timedelta(days=7)).isoformat()
    facilities.save_checklist(db, manager, "lahat", [
        facilities.FacilityIn("ruang_tunggu", "tersedia", "120 kursi"),
        facilities.FacilityIn("ramp", "sebagian", "Pintu samping belum", last_week),
        facilities.FacilityIn("ruang_laktasi", "belum_ada"),
    ])
    view = facilities.checklist(db, manager, "lahat")
    m = view.measure
    assert (m.available, m.partial) == (1, 1)
    assert m.applicable == 18 and m.missing == 16
    assert m.available_share == pytest.approx(1.5 / 18)
    assert m.overdue == ("ramp",)
    assert "ruang_laktasi" in m.without_plan
    assert m.without_evidence == ("ruang_tunggu", "ramp")
    ramp = next(line for line in view.lines if line.facility.key == "ramp")
    assert ramp.note == "Pintu samping belum" and ramp.overdue


def test_one_wrong_field_names_its_row_and_saves_nothing(fresh_demo_db):
    """A due date that is not a date, and a due date on an available facility: both named, no row stored."""
    db = fresh_demo_db
    with pytest.raises(ValidationFailed) as bad:
        facilities.save_checklist(db, _manager(db), "lahat", [
            facilities.FacilityIn("ruang_tunggu", "tersedia", "", "2026-01-01"),
            facilities.FacilityIn("ramp", "sebagian", "", "besok"),
        ])
    fields = {d.field for d in bad.value.details}
    assert fields == {"facilities[0].due_on", "facilities[1].due_on"}
    assert _rows(db) == 0


def test_photo_evidence_is_checked(fresh_demo_db):
    """A PNG is kept and read back; a PDF or a truncated JPEG is refused by name; the sixth photo is refused."""
    db = fresh_demo_db
    manager = _manager(db)
    png = files.png((32, 24))
    photo_id = facilities.add_photo(db, manager, "lahat", "ramp", png)
    assert facilities.photo(db, manager, "lahat", photo_id) == ("image/png", png)
    for bad in (files.pdf(), files.jpeg((32, 24))[:-40]):
        with pytest.raises(ValidationFailed) as refused:
            facilities.add_photo(db, manager, "lahat", "ramp", bad)
        assert refused.value.field == "photo-ramp"
    for _ in range(4):
        facilities.add_photo(db, manager, "lahat", "ramp", files.jpeg((16, 16)))
    with pytest.raises(ValidationFailed, match="paling banyak 5"):
        facilities.add_photo(db, manager, "lahat", "ramp", png)
    facilities.delete_photo(db, manager, "lahat", photo_id)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(FacilityPhoto)) == 4


def test_an_officer_reads_but_does_not_change_the_checklist(fresh_demo_db):
    db = fresh_demo_db
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    assert facilities.checklist(db, officer, "lahat").can_edit is False
    with pytest.raises(Forbidden):
        facilities.save_checklist(db, officer, "lahat", [facilities.FacilityIn("ramp", "tersedia")])
    with pytest.raises(Forbidden):
        facilities.add_photo(db, officer, "lahat", "ramp", files.png())
