"""The stored readiness instrument on SQLite and PostgreSQL: the migration seeds the code's
default as version 1; the overseer's save adds the next version in one transaction (a wrong
field saves nothing, a manager may not save); the self-assessment uses the newest version, a
manual score records the version it was given under and survives an edit that keeps its
indicator; with the table emptied the code's default still stands and the first save keeps it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from satupintu.accounts import service as accounts
from satupintu.errors import Conflict, Forbidden, ValidationFailed
from satupintu.oversight import instrument_service as instruments
from satupintu.oversight import readiness_service as readiness
from satupintu.oversight.models import ReadinessInstrumentVersion, ReadinessScore
from satupintu.oversight.readiness import DEFAULT_INSTRUMENT
from tests.conftest import DEMO_PASSWORD


def _count(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ReadinessInstrumentVersion)) or 0


def test_versions_are_added_and_the_assessment_follows_the_newest(fresh_demo_db):
    db = fresh_demo_db
    overseer = accounts.authenticate(db, "overseer", DEMO_PASSWORD)
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    first = instruments.current(db, manager)
    assert first.version == 1 and first.instrument == DEFAULT_INSTRUMENT and first.info.created_at is not None
    assert first.can_edit is False and instruments.current(db, overseer).can_edit is True

    readiness.save_scores(db, manager, "lahat", [readiness.ScoreIn("kode_etik", "4", frozenset())])
    with db.read() as s:
        assert s.get(ReadinessScore, (readiness_site_id(db), "kode_etik")).instrument_version == 1

    edited = DEFAULT_INSTRUMENT.as_dict()
    edited["aspects"][0]["weight"], edited["aspects"][5]["weight"] = 24, 13
    with pytest.raises(Forbidden):
        instruments.save(db, manager, edited)
    broken = DEFAULT_INSTRUMENT.as_dict()
    broken["aspects"][2]["indicators"][0]["bands"] = [{"minimum": 0.5, "score": 5}, {"minimum": 0.9, "score": 2}]
    with pytest.raises(ValidationFailed) as err:
        instruments.save(db, overseer, broken)
    assert err.value.details[0].field == "aspects[2].indicators[0].bands"
    assert _count(db) == 1  # nothing half-written

    saved = instruments.save(db, overseer, edited, base_version=1, note="2024")
    assert saved.version == 2 and [h.version for h in saved.history] == [2, 1]
    with pytest.raises(Conflict):
        instruments.save(db, overseer, edited, base_version=1)
    view = readiness.self_assessment(db, manager, "lahat")
    assert view.instrument_version == 2 and view.assessment.aspects[0].weight == 24
    kept = next(r for a in view.assessment.aspects for r in a.indicators if r.key == "kode_etik")
    assert kept.scored and kept.score == 4 and view.stored["kode_etik"].instrument_version == 1


def readiness_site_id(db):  # type: ignore[no-untyped-def]
    from satupintu.catalogue import queries as catalogue

    with db.read() as s:
        return catalogue.require_site(s, "lahat").id


def test_with_nothing_stored_the_default_stands_and_the_first_save_keeps_it_as_version_1(fresh_demo_db):
    db = fresh_demo_db
    overseer = accounts.authenticate(db, "overseer", DEMO_PASSWORD)
    with db.write() as s:
        s.execute(delete(ReadinessInstrumentVersion))
    view = instruments.current(db, overseer)
    assert view.version == 1 and view.instrument == DEFAULT_INSTRUMENT and view.info.created_at is None
    saved = instruments.save(db, overseer, DEFAULT_INSTRUMENT.as_dict(), base_version=1)
    assert [h.version for h in saved.history] == [2, 1] and saved.history[1].created_by == "system"
