"""The readiness self-assessment on SQLite and PostgreSQL: the measured indicators come from the
demo's records (its 90 days: the SKM index, waits, the standards of its services), the facilities
checklist moves the facilities aspect, the manager's manual scores with evidence raise the index,
a wrong score names its indicator and saves nothing, and an officer may read but not score."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.errors import Forbidden, ValidationFailed
from satupintu.oversight import facility_service as facilities
from satupintu.oversight import readiness_service as readiness
from satupintu.oversight import service as oversight
from satupintu.oversight.models import ReadinessScore
from tests.conftest import DEMO_PASSWORD


def _manager(db):
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


def test_measured_indicators_come_from_the_records(fresh_demo_db):
    db = fresh_demo_db
    manager = _manager(db)
    view = readiness.self_assessment(db, manager, "lahat")
    figures = oversight.summary(db, manager, "lahat", view.start, view.end)
    assert view.measured["skm_index"] == pytest.approx(float(figures.skm.ikm))
    assert view.measured["waits_within_threshold_share"] == pytest.approx(1 - figures.over_threshold_share)
    assert 0 < view.measured["standards_complete_share"] <= 1
    assert view.measured["facilities_available_share"] == 0.0  # nothing recorded yet counts as missing
    facilities_before = next(a for a in view.assessment.aspects if a.key == "sarana_prasarana").score
    facilities.save_checklist(db, manager, "lahat", [facilities.FacilityIn(f.key, "tersedia")
                                                     for f in facilities.DEFAULT_FACILITIES])
    after = readiness.self_assessment(db, manager, "lahat")
    assert after.measured["facilities_available_share"] == 1.0
    assert next(a for a in after.assessment.aspects if a.key == "sarana_prasarana").score > facilities_before


def test_manual_scores_with_evidence_raise_the_index(fresh_demo_db):
    db = fresh_demo_db
    manager = _manager(db)
    before = readiness.self_assessment(db, manager, "lahat")
    assert any(g.indicator == "kode_etik" for g in before.gaps)
    readiness.save_scores(db, manager, "lahat", [
        readiness.ScoreIn("kode_etik", "5", frozenset({"sk_kode_etik"}), "SK Kepala Dinas 2026"),
        readiness.ScoreIn("maklumat_pelayanan", "4", frozenset({"maklumat", "foto_maklumat"})),
        readiness.ScoreIn("standar_pelayanan_lengkap", "", frozenset({"sk_standar_pelayanan"})),
    ])
    after = readiness.self_assessment(db, manager, "lahat")
    assert after.assessment.index > before.assessment.index
    assert not any(g.indicator == "kode_etik" for g in after.gaps)
    assert after.stored["kode_etik"].note == "SK Kepala Dinas 2026"
    std = next(g for g in before.gaps if g.indicator == "standar_pelayanan_lengkap")
    assert std.missing_evidence and all(g.indicator != "standar_pelayanan_lengkap" or not g.missing_evidence
                                        for g in after.gaps)


def test_a_wrong_score_is_named_and_nothing_is_saved(fresh_demo_db):
    db = fresh_demo_db
    with pytest.raises(ValidationFailed) as bad:
        readiness.save_scores(db, _manager(db), "lahat", [
            readiness.ScoreIn("kode_etik", "5", frozenset({"sk_kode_etik"})),
            readiness.ScoreIn("maklumat_pelayanan", "9", frozenset()),
            readiness.ScoreIn("kompetensi_petugas", "", frozenset({"daftar_pelatihan"})),
        ])
    fields = {d.field for d in bad.value.details}
    assert fields == {"score-maklumat_pelayanan", "score-kompetensi_petugas"}
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ReadinessScore)) == 0


def test_an_officer_reads_but_does_not_score(fresh_demo_db):
    db = fresh_demo_db
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    assert readiness.self_assessment(db, officer, "lahat").can_edit is False
    with pytest.raises(Forbidden):
        readiness.save_scores(db, officer, "lahat", [readiness.ScoreIn("kode_etik", "3", frozenset())])
