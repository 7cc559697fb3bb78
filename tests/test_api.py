"""The JSON API over a real HTTP server (uvicorn on loopback), on SQLite and PostgreSQL."""

from satupintu.catalogue.spreadsheet import HEADERS, to_csv
from satupintu.demo.synthetic import synthetic_table
from tests.conftest import token_for


def test_the_public_reads_the_catalogue_without_credentials(server):
    with server.client() as c:
        sites = c.get("/api/v1/sites").json()
        assert {s["code"] for s in sites} >= {"lahat", "plaza-lematang"}
        services = c.get("/api/v1/sites/lahat/services").json()
        assert len(services) >= 30 and all(s["status"] == "published" for s in services)
        one = c.get(f"/api/v1/sites/lahat/services/{services[0]['code']}").json()
        assert one["requirements"] and one["procedure"] and one["complaint_channel"]
        agency = c.get("/api/v1/sites/lahat/agencies/DUKCAPIL").json()
        assert agency["agreements"] == []  # agreements are for staff only
        hits = c.get("/api/v1/sites/lahat/services", params={"q": "akta lahir"}).json()
        assert hits[0]["name"] == "Penerbitan Akta Kelahiran"


def test_openapi_documents_the_versioned_api(server):
    with server.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
        assert "/api/v1/sites/{site}/services" in spec["paths"]
        assert c.get("/api/v1/docs").status_code == 200


def test_unknown_things_are_404_with_a_machine_readable_error(server):
    with server.client() as c:
        resp = c.get("/api/v1/sites/lahat/services/NOPE-99")
        assert resp.status_code == 404
        assert resp.json()["error"] == {"code": "not_found", "message": "Layanan 'NOPE-99' tidak ditemukan.",
                                        "field": "service"}


def test_changes_need_a_token_and_wrong_passwords_are_refused(server):
    with server.client() as c:
        resp = c.post("/api/v1/sites/lahat/booths", json={"name": "Kopi", "owner_name": "Ibu Sari"})
        assert resp.status_code == 401 and resp.json()["error"]["code"] == "unauthenticated"
        bad = c.post("/api/v1/auth/token", json={"username": "pengelola", "password": "salah-sandi-sekali"})
        assert bad.status_code == 401
        assert bad.json()["error"]["message"] == "Nama pengguna atau kata sandi salah."
        forged = c.get("/api/v1/me", headers={"Authorization": "Bearer abc.def.ghi"})
        assert forged.status_code == 401


def test_bad_service_input_names_the_field(fresh_server):
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        resp = c.post("/api/v1/sites/lahat/services", headers=auth,
                      json={"code": "has space", "agency": "DUKCAPIL", "name": "Contoh"})
        assert resp.status_code == 422
        assert resp.json()["error"]["field"] == "code"
        resp = c.post("/api/v1/sites/lahat/services?publish=true", headers=auth,
                      json={"code": "T-1", "agency": "DUKCAPIL", "name": "Contoh layanan", "fee": 5000,
                            "requirements": ["KTP"], "procedure": ["Datang"], "time_value": 1,
                            "time_unit": "working_days", "product": "Surat", "complaint_channel": "Kotak saran"})
        assert resp.status_code == 422
        assert resp.json()["error"]["field"] == "fee_legal_basis"
        assert "dasar hukum" in resp.json()["error"]["message"]
        resp = c.post("/api/v1/sites/lahat/services", headers=auth,
                      json={"code": "T-1", "agency": "DUKCAPIL", "name": "Contoh layanan", "warna": "merah"})
        assert resp.status_code == 422 and resp.json()["error"]["field"] == "warna"
        assert c.get("/api/v1/sites/lahat/services/T-1", headers=auth).status_code == 404


def test_a_manager_of_another_site_is_refused_at_this_site(fresh_server):
    with fresh_server.client() as c:
        overseer = token_for(c, "overseer")
        assert c.post("/api/v1/sites", headers=overseer, json={
            "code": "lamtim", "name": "MPP Kabupaten Lampung Timur", "timezone": "Asia/Jakarta",
            "opening_hours": {"mon": ["08:00", "15:00"]}}).status_code == 201
        assert c.post("/api/v1/users", headers=overseer, json={
            "username": "pengelola.lamtim", "full_name": "Pengelola Lamtim", "password": "sandi-lamtim-123",
            "role": "site_manager", "site": "lamtim"}).status_code == 201
        other = token_for(c, "pengelola.lamtim", "sandi-lamtim-123")
        for method, path, body in [
            ("GET", "/api/v1/sites/lahat/services?include_unpublished=true", None),
            ("GET", "/api/v1/sites/lahat/users", None),
            ("GET", "/api/v1/sites/lahat/audit", None),
            ("GET", "/api/v1/sites/lahat/catalogue.csv", None),
            ("POST", "/api/v1/sites/lahat/booths", {"name": "Kopi", "owner_name": "Ibu Sari"}),
            ("POST", "/api/v1/sites/lahat/devices", {"kind": "kiosk", "name": "Kios 1"}),
        ]:
            resp = c.request(method, path, headers=other, json=body)
            assert resp.status_code == 403, path
            assert resp.json()["error"]["code"] == "forbidden"
        # ...while its own site is theirs to manage.
        assert c.post("/api/v1/sites/lamtim/booths", headers=other,
                      json={"name": "Kopi Lamtim", "owner_name": "Pak Joko"}).status_code == 201


def test_import_over_http_rejects_bad_rows_with_row_and_column(fresh_server):
    table = synthetic_table(10, 2)
    table[3][HEADERS.index("waktu")] = "tiga"
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        resp = c.post("/api/v1/sites/lahat/catalogue/import", headers=auth,
                      files={"file": ("katalog.csv", to_csv(table), "text/csv")})
        assert resp.status_code == 422
        assert resp.json()["error"]["details"] == [
            {"field": "waktu", "code": "invalid", "message": "Jangka waktu harus berupa bilangan bulat.", "row": 4}]
        table[3][HEADERS.index("waktu")] = "3"
        ok = c.post("/api/v1/sites/lahat/catalogue/import", headers=auth,
                    files={"file": ("katalog.csv", to_csv(table), "text/csv")})
        assert ok.json() == {"created": 10, "updated": 0, "unchanged": 0, "agencies_created": 2}
        exported = c.get("/api/v1/sites/lahat/catalogue.xlsx", headers=auth)
        assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_device_tokens_identify_a_kiosk_until_revoked(fresh_server):
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        made = c.post("/api/v1/sites/lahat/devices", headers=auth, json={"kind": "kiosk", "name": "Kios Lobi"}).json()
        me = c.get("/api/v1/device", headers={"X-Device-Token": made["token"]})
        assert me.json()["site"] == "lahat" and me.json()["kind"] == "kiosk"
        assert c.delete(f"/api/v1/devices/{made['id']}", headers=auth).status_code == 204
        assert c.get("/api/v1/device", headers={"X-Device-Token": made["token"]}).status_code == 401
        audit = c.get("/api/v1/sites/lahat/audit", headers=auth).json()
        assert [e["action"] for e in audit[:2]] == ["device.revoke", "device.create"]
        assert made["token"] not in str(audit)  # only a hash is kept


def test_session_cookie_calls_need_the_csrf_header(fresh_server):
    with fresh_server.client() as c:
        page = c.get("/masuk")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        resp = c.post("/masuk", data={"username": "pengelola", "password": "demo-sandi-uji-123", "csrf": csrf})
        assert resp.status_code == 303
        body = {"name": "Kopi", "owner_name": "Ibu Sari"}
        assert c.post("/api/v1/sites/lahat/booths", json=body).status_code == 403
        dashboard = c.get("/kelola/lahat")
        token = dashboard.text.split('name="csrf" value="')[1].split('"')[0]
        assert c.post("/api/v1/sites/lahat/booths", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_openapi_tells_a_units_developer_the_release_rule(server):
    """Both routes a unit calls document the release header and the 409 naming the release to
    install; a plain change keeps the general 409 text."""
    with server.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
    for path, method in (("/api/v1/sites/{site}/unit/bundle", "get"), ("/api/v1/sites/{site}/unit/records", "post")):
        op = spec["paths"][path][method]
        assert "unit_version_too_old" in op["responses"]["409"]["description"]
        assert op["responses"]["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert [p["in"] for p in op["parameters"] if p["name"] == "X-SatuPintu-Release"] == ["header"]
    assert "counter is busy" in spec["paths"]["/api/v1/sites/{site}/booths"]["post"]["responses"]["409"]["description"]
