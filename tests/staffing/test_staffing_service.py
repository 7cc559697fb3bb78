"""Staffing on a real database and a real server: officers, the saved roster and its check,
roster generation (and why it is impossible), the forecast and the capacity plan.

Generation here is one day with a short time limit; the full-size week is bench/staffing_bench.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from satupintu.accounts import service as accounts
from satupintu.staffing import service as staffing
from tests.conftest import DEMO_PASSWORD, token_for

BASE = "/api/v1/sites/lahat/staffing"


def monday(db):
    return staffing.week_start(staffing.site_today(db, "lahat"))


def test_forecast_from_the_demo_history_shows_the_early_morning_peak(demo_db):
    manager = accounts.authenticate(demo_db, "pengelola", DEMO_PASSWORD)
    fc = staffing.forecast(demo_db, manager, "lahat")
    rate = {(r.agency, r.weekday, r.hour): r.arrivals for r in fc.rows}
    for weekday in range(5):
        morning = rate.get(("DUKCAPIL", weekday, 8), 0) + rate.get(("DUKCAPIL", weekday, 9), 0)
        afternoon = rate.get(("DUKCAPIL", weekday, 13), 0) + rate.get(("DUKCAPIL", weekday, 14), 0)
        assert morning > 2 * afternoon, (weekday, morning, afternoon)
        assert fc.peaks["DUKCAPIL"][weekday] in (8, 9)
    assert not any(r.weekday >= 5 for r in fc.rows)  # the demo site is closed at the weekend


def test_capacity_plan_recommends_counters_and_simulates_waits_before_and_after(demo_db):
    manager = accounts.authenticate(demo_db, "pengelola", DEMO_PASSWORD)
    plan = staffing.capacity(demo_db, manager, "lahat", weekday=0, target_wait=15, target_level=0.8,
                             replications=3)
    dukcapil = next(a for a in plan.agencies if a.agency == "DUKCAPIL")
    peak = next(h for h in dukcapil.hours if h.hour == 8)
    assert peak.current == 3 and peak.recommended > peak.current and peak.capped  # the peak needs more
    assert peak.wait_before is not None and peak.wait_after is not None and peak.wait_after < peak.wait_before
    assert 3 < dukcapil.handling_minutes < 20  # measured from the history, lognormal around 8 minutes
    with pytest.raises(Exception) as err:
        staffing.capacity(demo_db, manager, "lahat", weekday=0, target_level=1.5)
    assert err.value.field == "target_level"


def test_scope_refusals_and_field_errors_over_http(server):
    db = server.app.state.db
    start = monday(db).isoformat()
    with server.client() as c:
        assert c.get(f"{BASE}/roster-check", params={"start": start}).status_code == 401
        officer = token_for(c, "petugas.dukcapil")
        seen = c.get(f"{BASE}/roster-check", params={"start": start, "days": 1}, headers=officer)
        assert seen.status_code == 200 and "findings" in seen.json()
        refused = c.post(f"{BASE}/roster/generate", json={"start": start}, headers=officer)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert c.put(f"{BASE}/plan", json={"rows": []}, headers=officer).status_code == 403
        admin = token_for(c, "admin.dukcapil")
        other = c.post(f"{BASE}/officers", json={"agency": "DPMPTSP", "name": "Bukan Petugasnya"}, headers=admin)
        assert other.status_code == 403
        bad = c.post(f"{BASE}/officers", json={"agency": "DUKCAPIL", "name": "Baru", "services": ["DPM-01"]},
                     headers=admin)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "services"
        manager = token_for(c, "pengelola")
        officers = c.get(f"{BASE}/officers", headers=manager).json()
        when = c.post(f"{BASE}/assignments", headers=manager, json={
            "officer_id": officers[0]["id"], "counter": 1, "date": start, "start": "8 pagi", "end": "12:00"})
        assert when.status_code == 422 and when.json()["error"]["field"] == "start"
        nowhere = c.post(f"{BASE}/assignments", headers=manager, json={
            "officer_id": officers[0]["id"], "counter": 99, "date": start, "start": "08:00", "end": "12:00"})
        assert nowhere.status_code == 404 and nowhere.json()["error"]["field"] == "counter"
        too_many = c.put(f"{BASE}/plan", headers=manager,
                         json={"rows": [{"agency": "BPJS", "weekday": 0, "hour": 8, "counters": 4}]})
        assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "rows[0].counters"


def test_the_demo_roster_shows_the_empty_counter_at_break_time(server):
    db = server.app.state.db
    with server.client() as c:
        manager = token_for(c, "pengelola")
        week = c.get(f"{BASE}/roster-check", params={"start": monday(db).isoformat()}, headers=manager).json()
    gaps = [f for f in week["findings"] if f["kind"] == "uncovered"]
    assert [(g["counter"], g["start"], g["end"]) for g in gaps] == [(9, "11:00", "11:30")]
    assert "Loket 9" in gaps[0]["message"] and "tanpa petugas" in gaps[0]["message"]


def test_a_generated_roster_is_saved_then_a_removed_shift_shows_as_a_gap(fresh_server):
    db = fresh_server.app.state.db
    day = monday(db).isoformat()
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        gen = c.post(f"{BASE}/roster/generate", headers=manager,
                     json={"start": day, "days": 1, "time_limit_s": 2, "save": True})
        assert gen.status_code == 200, gen.text
        body = gen.json()
        assert body["ok"] and body["saved"] and body["findings"] == [] and body["assignments"]
        check = c.get(f"{BASE}/roster-check", params={"start": day, "days": 1}, headers=manager).json()
        assert check["findings"] == []
        # Remove the shift of the officer at Loket 4 at 10:00.
        victim = next(a for a in check["assignments"]
                      if a["counter"] == 4 and a["start_minute"] <= 600 < a["end_minute"])
        assert c.delete(f"{BASE}/assignments/{victim['id']}", headers=manager).status_code == 204
        again = c.get(f"{BASE}/roster-check", params={"start": day, "days": 1}, headers=manager).json()
        gaps = [f for f in again["findings"] if f["kind"] == "uncovered"]
        assert gaps and all(g["counter"] == 4 for g in gaps)
        assert any(g["start_minute"] <= 600 < g["end_minute"] for g in gaps)
        assert sum(g["end_minute"] - g["start_minute"] for g in gaps) <= victim["end_minute"] - victim["start_minute"]


def test_an_impossible_generation_names_the_reason_with_a_code(fresh_server):
    db = fresh_server.app.state.db
    wednesday = (monday(db) + timedelta(days=2)).isoformat()
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        # Wednesday: Dinsos' relief officer is on leave, one officer cannot keep Loket 9 open with a break.
        gen = c.post(f"{BASE}/roster/generate", headers=manager,
                     json={"start": wednesday, "days": 1, "time_limit_s": 5, "save": True}).json()
        assert gen["status"] == "infeasible" and not gen["saved"] and gen["assignments"] == []
        reason = gen["reasons"][0]
        assert reason["code"] == "constraints" and reason["counters"] == [9]
        assert "Loket 9" in reason["message"] and "aturan istirahat" in reason["message"]
        # With both BPJS officers gone, the pre-check says Loket 14 has nobody at all.
        for o in c.get(f"{BASE}/officers", params={"agency": "BPJS"}, headers=manager).json():
            assert c.delete(f"{BASE}/officers/{o['id']}", headers=manager).status_code == 204
        gen = c.post(f"{BASE}/roster/generate", headers=manager,
                     json={"start": monday(db).isoformat(), "days": 1, "time_limit_s": 5}).json()
        assert gen["status"] == "infeasible"
        codes = {r["code"] for r in gen["reasons"]}
        assert "too_few_officers" in codes
        assert any(14 in r["counters"] for r in gen["reasons"])


def test_officers_plan_forecast_and_capacity_over_http(fresh_server):
    with fresh_server.client() as c:
        admin = token_for(c, "admin.dukcapil")
        made = c.post(f"{BASE}/officers", headers=admin, json={
            "agency": "dukcapil", "name": "Rahma", "services": ["DKC-01", "DKC-02"], "friday_prayer": False,
            "workdays": [0, 1, 2, 3, 4], "days_off": ["2030-01-02"], "max_minutes_per_day": 420})
        assert made.status_code == 201, made.text
        o = made.json()
        assert o["services"] == ["DKC-01", "DKC-02"] and o["days_off"] == ["2030-01-02"]
        changed = c.put(f"{BASE}/officers/{o['id']}", headers=admin,
                        json={**{k: o[k] for k in ("name", "services", "workdays", "days_off")},
                              "agency": "DUKCAPIL", "max_minutes_per_day": 300})
        assert changed.json()["max_minutes_per_day"] == 300
        manager = token_for(c, "pengelola")
        plan = c.put(f"{BASE}/plan", headers=manager,
                     json={"rows": [{"agency": "BPJS", "weekday": 0, "hour": h, "counters": 1} for h in range(8, 15)]})
        assert plan.status_code == 200 and sum(1 for r in plan.json()["rows"] if r["agency"] == "BPJS") == 7
        fc = c.get(f"{BASE}/forecast", headers=manager).json()
        assert fc["peaks"]["DUKCAPIL"]["0"] in (8, 9)
        cap = c.get(f"{BASE}/capacity", params={"weekday": 0, "target_wait": 15, "target_level": 0.8},
                    headers=manager)
        assert cap.status_code == 200
        hours = next(a for a in cap.json()["agencies"] if a["agency"] == "DUKCAPIL")["hours"]
        assert {"wait_before", "wait_after", "recommended", "current", "arrivals"} <= set(hours[0])
        bad = c.get(f"{BASE}/capacity", params={"target_level": 2}, headers=manager)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "target_level"


def test_every_staffing_change_leaves_an_audit_entry_with_who_and_what(fresh_server):
    from sqlalchemy import select

    from satupintu.audit import AuditEntry

    db = fresh_server.app.state.db
    day = monday(db).isoformat()
    with fresh_server.client() as c:
        admin = token_for(c, "admin.dukcapil")
        o = c.post(f"{BASE}/officers", headers=admin, json={"agency": "DUKCAPIL", "name": "Rahma"}).json()
        c.put(f"{BASE}/officers/{o['id']}", headers=admin,
              json={"agency": "DUKCAPIL", "name": "Rahma", "max_minutes_per_day": 300})
        manager = token_for(c, "pengelola")
        c.post(f"{BASE}/roster/generate", headers=manager,
               json={"start": day, "days": 1, "time_limit_s": 2, "save": True}).raise_for_status()
    with db.read() as s:
        entries = [(e.action, e.actor_label, e.before, e.after) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["officer.create", "officer.update", "roster.generate"]))
            .order_by(AuditEntry.at, AuditEntry.id))]
    assert [a for a, *_ in entries] == ["officer.create", "officer.update", "roster.generate"]
    assert entries[0][1] == "admin.dukcapil" and entries[0][3]["name"] == "Rahma"
    assert entries[1][2] == {"max_minutes_per_day": 480} and entries[1][3] == {"max_minutes_per_day": 300}
    assert entries[2][1] == "pengelola" and entries[2][3]["assignments"] > 0


def test_the_manager_adopts_the_recommendation_for_one_weekday_and_other_days_keep_their_plan(fresh_server):
    import re

    with fresh_server.client(follow_redirects=True) as c:
        manager = token_for(c, "pengelola")
        before = c.get(f"{BASE}/plan", headers=manager).json()["rows"]
        rec = c.get(f"{BASE}/capacity", params={"weekday": 1}, headers=manager).json()
        c.post("/masuk", data={"username": "pengelola", "password": DEMO_PASSWORD,
                                      "csrf": re.search(r'name="csrf" value="([^"]+)"',
                                                        c.get("/masuk").text).group(1)})
        form = c.get("/kelola/lahat/kapasitas", params={"hari": 1})
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        done = c.post("/kelola/lahat/kapasitas/terapkan", data={"csrf": csrf, "hari": 1, "target": 15, "tingkat": 80})
        assert done.status_code == 200 and "sudah menjadi rencana loket" in done.text
        after = c.get(f"{BASE}/plan", headers=manager).json()["rows"]
    expected = {(a["agency"], h["hour"]): min(h["recommended"], a["counters_available"])
                for a in rec["agencies"] for h in a["hours"]}
    assert {(r["agency"], r["hour"]): r["counters"] for r in after if r["weekday"] == 1} == expected
    assert [r for r in after if r["weekday"] != 1] == [r for r in before if r["weekday"] != 1]


def test_generating_one_day_counts_the_hours_already_rostered_that_week(fresh_demo_db):
    """Friday is generated after Monday to Thursday were saved: an officer whose weekly limit
    those days used up is not rostered again, and no finding says a limit is passed."""
    from satupintu.staffing.service import GenerateIn, OfficerIn

    db = fresh_demo_db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    week = staffing.list_assignments(db, manager, "lahat", monday(db), 7)
    friday = monday(db) + timedelta(days=4)
    worked: dict = {}
    for a in week:
        if a.date < friday:
            worked[a.officer_id] = worked.get(a.officer_id, 0) + a.end_minute - a.start_minute
    officers = {o.id: o for o in staffing.list_officers(db, manager, "lahat")}
    busiest = max((oid for oid in worked if officers[oid].agency == "DUKCAPIL"), key=worked.get)
    o = officers[busiest]
    staffing.update_officer(db, manager, "lahat", o.id, OfficerIn(**{
        **o.model_dump(exclude={"id"}), "max_minutes_per_week": worked[busiest]}))

    result = staffing.generate(db, manager, "lahat", GenerateIn(start=friday, days=1, time_limit_s=8))
    assert result.ok, result.reasons  # the other DUKCAPIL officers cover Friday
    assert result.assignments and all(a.officer_id != busiest for a in result.assignments)
    assert not [f for f in result.findings if f.kind == "over_weekly"]
