"""The queue over HTTP: what a kiosk, an officer's console and a citizen's phone get back."""


from tests.conftest import token_for
from tests.dayclock import next_local_weekday


def kiosk_token(c, auth, kind="kiosk"):
    return c.post("/api/v1/sites/lahat/devices", headers=auth, json={"kind": kind, "name": "Perangkat"}).json()["token"]


def test_kiosk_ticket_officer_console_and_citizen_view(fresh_server):
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": kiosk_token(c, manager)}
        officer = token_for(c, "petugas.dukcapil")
        t = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01", "priority": "pregnant"})
        assert t.status_code == 201
        ticket = t.json()
        assert ticket["number"] == "A-001" and ticket["position"] == 0 and ticket["priority"] == "pregnant"
        public = c.get(f"/api/v1/tickets/{ticket['id']}").json()  # no login needed
        assert set(public) >= {"number", "status", "position", "estimated_wait_minutes"}
        assert c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()["error"]["code"] \
            == "counter_closed"
        assert c.post("/api/v1/sites/lahat/counters/4/open", headers=officer).json()["is_open"] is True
        finish_too_early = c.post("/api/v1/sites/lahat/counters/4/finish", headers=officer)
        assert finish_too_early.status_code == 409
        called = c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()
        assert called["number"] == "A-001" and called["counter_number"] == 4
        wrong = c.post("/api/v1/sites/lahat/counters/4/finish", headers=officer, json={"ticket_id": called["id"]})
        assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "illegal_transition"
        assert "A-001" in wrong.json()["error"]["message"]
        assert c.post("/api/v1/sites/lahat/counters/4/start", headers=officer).json()["status"] == "serving"
        referred = c.post("/api/v1/sites/lahat/counters/4/refer", headers=officer,
                          json={"service": "DPM-01", "note": "Perlu NIB"}).json()
        assert referred["number"] == "A-001" and referred["service_code"] == "DPM-01"
        history = c.get(f"/api/v1/tickets/{referred['id']}/history", headers=officer).json()
        assert [h["kind"] for h in history][-2:] == ["referred", "issued"]
        assert c.get(f"/api/v1/tickets/{referred['id']}/history").status_code == 401
        states = c.get("/api/v1/sites/lahat/counter-states", headers=manager).json()
        assert [s["is_open"] for s in states if s["number"] == 4] == [True]


def test_boards_cannot_issue_and_bad_input_names_the_field(fresh_server):
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        board = {"X-Device-Token": kiosk_token(c, manager, "board")}
        r = c.post("/api/v1/sites/lahat/tickets", headers=board, json={"service": "DKC-01"})
        assert r.status_code == 403
        kiosk = {"X-Device-Token": kiosk_token(c, manager)}
        r = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01", "priority": "vip"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "priority"
        r = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "NOPE"})
        assert r.status_code == 404 and r.json()["error"]["field"] == "service"
        r = c.post("/api/v1/sites/lahat/tickets", json={"service": "DKC-01"})
        assert r.status_code == 401


def test_online_booking_with_qr_and_duplicate_refusal(fresh_server):
    day = next_local_weekday()
    with fresh_server.client() as c:
        slots = c.get("/api/v1/sites/lahat/services/DKC-04/slots", params={"date": day.isoformat()}).json()
        body = {"service": "DKC-04", "slot_start": slots[1]["start"], "name": "Dewi", "phone": "081234567890"}
        booked = c.post("/api/v1/sites/lahat/bookings", json=body)
        assert booked.status_code == 201
        code = booked.json()["code"]
        assert "081234567890" not in booked.text
        qr = c.get(f"/api/v1/bookings/{code}/qr.svg")
        assert qr.headers["content-type"].startswith("image/svg+xml") and b"<svg" in qr.content
        again = c.post("/api/v1/sites/lahat/bookings", json=dict(body, slot_start=slots[3]["start"]))
        assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_booking"
        after = c.get("/api/v1/sites/lahat/services/DKC-04/slots", params={"date": day.isoformat()}).json()
        assert after[1]["available"] == after[1]["quota"] - 1
