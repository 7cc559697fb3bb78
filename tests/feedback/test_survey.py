"""The survey after a served visit: offered once, counted once, reported per scope and period."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.errors import Conflict, ValidationFailed
from satupintu.feedback import service as feedback
from satupintu.feedback.schemas import SurveyIn
from satupintu.feedback.skm import KEYS, Regulation
from satupintu.queueing import service as queue
from satupintu.queueing.policy import local_day
from tests.conftest import DEMO_PASSWORD, token_for

K = KEYS[Regulation.permenpanrb_14_2017]


def site_today() -> date:
    """Today in Lahat (WIB), the day surveys are counted on, whatever the machine's zone."""
    return local_day(datetime.now(UTC), "Asia/Jakarta")


def code(ticket):
    """The survey code printed on the ticket the visitor holds."""
    return feedback.survey_code(ticket.visit_id)


def served_ticket(db, service_code="DKC-01", counter=4):
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios", site_id=site.id)
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    queue.issue_ticket(db, kiosk, "lahat", service_code)
    queue.open_counter(db, officer, "lahat", counter)
    called = queue.call_next(db, officer, "lahat", counter)  # the first in line
    queue.start_serving(db, officer, "lahat", counter)
    queue.finish(db, officer, "lahat", counter)
    return called


def test_the_survey_opens_only_after_service_and_takes_one_answer(fresh_demo_db):
    db = fresh_demo_db
    site = catalogue.get_site(db, "lahat")
    waiting = queue.issue_ticket(db, queue.Issuer(label="kios", site_id=site.id), "lahat", "DKC-01")
    form = feedback.survey_form(db, waiting.id, code(waiting))
    assert not form.can_answer and "setelah layanan selesai" in form.reason
    assert [q.key for q in form.questions] == list(K)
    assert form.questions[3].answers == ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
    with pytest.raises(Conflict):
        feedback.submit_survey(db, waiting.id, code(waiting), SurveyIn(answers={k: 4 for k in K}))
    t = served_ticket(db)
    assert t.id == waiting.id  # the visitor who waited is the one served
    assert feedback.survey_form(db, t.id, code(t)).can_answer
    feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={k: 4 for k in K}, sex="P", age=34,
                                                        suggestion="Antrian rapi"))
    with pytest.raises(Conflict) as err:
        feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={k: 1 for k in K}))  # no stuffing
    assert err.value.code == "already_answered"


def test_incomplete_or_out_of_range_answers_name_the_unsur(fresh_demo_db):
    db = fresh_demo_db
    t = served_ticket(db)
    with pytest.raises(ValidationFailed) as err:
        feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={k: 4 for k in K if k != "sarana"}))
    assert err.value.field == "answers.sarana"
    with pytest.raises(ValidationFailed) as err:
        feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={**{k: 4 for k in K}, "biaya": 5}))
    assert err.value.field == "answers.biaya"


def test_report_per_service_and_agency_with_the_sample_check(bare_demo_db):
    db = bare_demo_db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    a, b = served_ticket(db), served_ticket(db)
    served_ticket(db)  # served but not surveyed: counts in the population
    feedback.submit_survey(db, a.id, code(a), SurveyIn(answers=dict(zip(K, [4, 3, 2, 4, 3, 4, 4, 2, 3], strict=True)),
                                                        suggestion="Tambah kursi"))
    feedback.submit_survey(db, b.id, code(b), SurveyIn(answers=dict(zip(K, [3, 3, 3, 4, 3, 3, 4, 2, 3], strict=True))))
    today = site_today()
    r = feedback.report(db, manager, "lahat", today - timedelta(days=1), today + timedelta(days=1), "DKC-01")
    assert r.ikm == Decimal("79.17") and r.grade == "B" and r.grade_label == "Baik"
    assert r.respondents == 2 and r.population == 3 and r.required_sample == 3 and not r.sample_sufficient
    assert r.lowest_unsur == "pengaduan" and r.suggestions == ["Tambah kursi"]
    by_agency = feedback.report(db, manager, "lahat", today - timedelta(days=1), today + timedelta(days=1),
                                agency_code="DUKCAPIL")
    assert by_agency.ikm == r.ikm and by_agency.scope.startswith("Dinas Kependudukan")
    other = feedback.report(db, manager, "lahat", today - timedelta(days=1), today + timedelta(days=1), "DPM-01")
    assert other.respondents == 0 and other.ikm == Decimal("0.00")


def test_survey_over_http_needs_no_login_but_the_report_does(fresh_server):
    db = fresh_server.app.state.db
    t = served_ticket(db)
    with fresh_server.client() as c:
        key = {"code": code(t)}
        form = c.get(f"/api/v1/tickets/{t.id}/survey", params=key).json()
        assert form["can_answer"] is True and len(form["questions"]) == 9
        bad = c.post(f"/api/v1/tickets/{t.id}/survey", params=key, json={"answers": {k: 4 for k in K}, "sex": "X"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "sex"
        ok = c.post(f"/api/v1/tickets/{t.id}/survey", params=key, json={"answers": {k: 4 for k in K}})
        assert ok.status_code == 201
        again = c.post(f"/api/v1/tickets/{t.id}/survey", params=key, json={"answers": {k: 4 for k in K}})
        assert again.status_code == 409
        period = {"starts_on": site_today().isoformat(), "ends_on": site_today().isoformat()}
        assert c.get("/api/v1/sites/lahat/skm", params=period).status_code == 401
        report = c.get("/api/v1/sites/lahat/skm", params=period, headers=token_for(c, "pengelola")).json()
        assert report["ikm"] == "100.00" and report["grade"] == "A" and report["grade_label"] == "Sangat Baik"


def test_paper_tallies_count_with_online_answers_and_legacy_periods_keep_their_regulation(fresh_demo_db):
    from satupintu.feedback.schemas import TallyIn

    db = fresh_demo_db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    t = served_ticket(db)
    feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={k: 4 for k in K}))
    today = site_today()
    feedback.enter_tally(db, manager, "lahat", TallyIn(
        service="DKC-01", starts_on=today, ends_on=today, respondents=3,
        tally={k: {"1": 3} for k in K}))
    r = feedback.report(db, manager, "lahat", today, today, "DKC-01")
    # 1 x all-4 and 3 x all-1: NRR 7/4 per unsur -> 43.75
    assert r.respondents == 4 and r.ikm == Decimal("43.75") and r.grade == "D"
    legacy_keys = KEYS[Regulation.kepmenpan_25_2004]
    feedback.enter_tally(db, manager, "lahat", TallyIn(
        service="DKC-01", starts_on=date(2019, 1, 1), ends_on=date(2019, 6, 30), regulation="kepmenpan_25_2004",
        respondents=2, tally={k: {"4": 2} for k in legacy_keys}))
    old = feedback.report(db, manager, "lahat", date(2019, 1, 1), date(2019, 12, 31), "DKC-01",
                          regulation=Regulation.kepmenpan_25_2004)
    assert old.ikm == Decimal("99.40") and old.regulation == "kepmenpan_25_2004" and len(old.unsur) == 14
    with pytest.raises(ValidationFailed) as err:
        feedback.enter_tally(db, manager, "lahat", TallyIn(service="DKC-01", starts_on=today, ends_on=today,
                                                           respondents=1, tally={"persyaratan": {"4": 5}}))
    assert err.value.field == "tally.persyaratan"


def test_periods_exports_and_the_public_published_index(bare_server):
    from io import BytesIO

    from openpyxl import load_workbook

    from satupintu.feedback.periods import period_bounds

    assert period_bounds("triwulan", 2026, 2) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_bounds("semester", 2026, 2) == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_bounds("bulan", 2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    db = bare_server.app.state.db
    t = served_ticket(db)
    feedback.submit_survey(db, t.id, code(t), SurveyIn(answers=dict(zip(K, [4, 3, 2, 4, 3, 4, 4, 2, 3], strict=True)),
                                                        suggestion="Perbanyak kursi tunggu"))
    year = site_today().year
    with bare_server.client() as c:
        auth = token_for(c, "pengelola")
        params = {"period": "tahun", "year": year}
        report = c.get("/api/v1/sites/lahat/skm", params=params, headers=auth).json()
        assert report["respondents"] == 1 and report["starts_on"] == f"{year}-01-01"
        bad = c.get("/api/v1/sites/lahat/skm", params={"period": "minggu", "year": year}, headers=auth)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "period"
        xlsx = c.get("/api/v1/sites/lahat/skm.xlsx", params=params, headers=auth)
        ws = load_workbook(BytesIO(xlsx.content))["IKM"]
        rows = [r for r in ws.iter_rows(values_only=True)]
        assert rows[0][0] == "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT"
        assert ("U1", "Persyaratan", 1, 4.0, 100.0, "A (Sangat Baik)") in rows
        pdf = c.get("/api/v1/sites/lahat/skm.pdf", params=params, headers=auth)
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        assert c.get("/api/v1/sites/lahat/skm/published").json() == []
        made = c.post("/api/v1/sites/lahat/skm/publish", headers=auth, json={
            "title": f"IKM MPP Lahat Tahun {year}", "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"})
        assert made.status_code == 201
        public = c.get("/api/v1/sites/lahat/skm/published").json()
        assert public[0]["title"].startswith("IKM MPP Lahat") and public[0]["report"]["ikm"] == "80.56"  # 29 / 9 x 25
