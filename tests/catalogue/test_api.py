"""The catalogue's JSON routes over a real HTTP server: bad input is a 4xx naming the field."""

from satupintu.catalogue.spreadsheet import HEADERS, to_csv
from satupintu.demo.synthetic import synthetic_table
from tests.conftest import token_for


def test_bad_input_over_http_is_a_4xx_naming_the_field(fresh_server):
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        r = c.post("/api/v1/auth/token", json={"username": "a\u0000b", "password": "x"})
        assert r.status_code == 422
        assert c.get("/api/v1/sites/lahat/services/X%00").status_code == 400
        assert c.get("/api/v1/sites/lahat/services", params={"agency": "A\x00"}).status_code == 400
        r = c.put("/api/v1/sites/lahat/counters/99999999999999999999", headers=auth,
                  json={"number": 1, "agency": "DUKCAPIL"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "number"
        r = c.post("/api/v1/sites/lahat/services", headers=auth,
                   json={"code": "T-9", "agency": "DUKCAPIL", "name": "Layanan Mahal", "fee": 3_000_000_000})
        assert r.status_code == 422 and r.json()["error"]["field"] == "fee"
        r = c.post("/api/v1/sites/lahat/booths", headers={**auth, "content-type": "application/json"},
                   content=b"{not json")
        assert r.status_code == 422 and r.json()["error"]["field"] == "body"
        r = c.post("/api/v1/sites", headers=auth, json={"code": "ev2", "name": "Acara", "kind": "mobile",
                                                        "starts_on": "2026-12-01", "ends_on": "2026-12-02"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "parent_site"
        r = c.put("/api/v1/sites/lahat", headers=auth,
                  json={"code": "lahat", "name": "MPP Kabupaten Lahat",
                        "opening_hours": {"mon": ["99999999999999999999:00", "15:00"]}})
        assert r.status_code == 422 and r.json()["error"]["field"] == "opening_hours.mon"
        table = synthetic_table(2, 1)
        table[1][HEADERS.index("nama_instansi")] = "x" * 300
        r = c.post("/api/v1/sites/lahat/catalogue/import", headers=auth,
                   files={"file": ("k.csv", to_csv(table), "text/csv")})
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "nama_instansi"
