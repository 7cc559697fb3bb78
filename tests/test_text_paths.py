"""The one text rule on the paths into storage that did not use it (staffing) and those that did
(catalogue, accounts): every one refuses a control character with the field named."""

from tests.conftest import token_for


def test_the_same_rule_guards_every_json_path_that_stores_text(fresh_server):
    """An officer's name (staffing took any text), an agency, a device: ESC and NUL are refused with the field."""
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        for path, body, field in [
            ("/api/v1/sites/lahat/staffing/officers", {"agency": "DUKCAPIL", "name": "Uji Kendali\x1b[8m"}, "name"),
            ("/api/v1/sites/lahat/staffing/officers", {"agency": "DUKCAPIL", "name": "Uji Kendali\x00"}, "name"),
            ("/api/v1/sites/lahat/agencies", {"code": "UJI", "name": "Dinas\x08 Uji", "kind": "regional_agency"},
             "name"),
            ("/api/v1/sites/lahat/devices", {"kind": "kiosk", "name": "Kios\x7f\x1f"}, "name"),
        ]:
            resp = c.post(path, headers=auth, json=body)
            assert resp.status_code == 422, (path, resp.text)
            assert resp.json()["error"]["field"] == field
            assert resp.json()["error"]["details"][0]["code"] == "control_character"
        officers = c.get("/api/v1/sites/lahat/staffing/officers", headers=auth).json()
        assert not any(o["name"].startswith("Uji Kendali") for o in officers)  # nothing stored


def test_a_form_field_that_goes_straight_to_a_lookup_is_refused_naming_it(fresh_server):
    """A NUL in the sign-in name reached PostgreSQL, which answered 500; every form field meets the rule."""
    from tests.feedback.test_feedback_pages import csrf_of

    with fresh_server.client() as c:
        page = c.get("/masuk")
        resp = c.post("/masuk", data={"csrf": csrf_of(page.text), "username": "pengelola\x00", "password": "x"})
        assert resp.status_code == 422 and "Isian &#39;username&#39; memuat karakter kendali U+0000" in resp.text


def test_an_uploaded_file_name_with_a_control_character_is_refused_naming_the_field(fresh_server):
    from satupintu.catalogue.spreadsheet import to_csv
    from satupintu.demo.synthetic import synthetic_table

    with fresh_server.client() as c:
        resp = c.post("/api/v1/sites/lahat/catalogue/import", headers=token_for(c, "pengelola"),
                      files={"file": ("katalog\x1b.csv", to_csv(synthetic_table(2, 1)), "text/csv")})
    assert resp.status_code == 422
    assert resp.json()["error"]["field"] == "file" and resp.json()["error"]["code"] == "validation_failed"
    assert "U+001B" in resp.json()["error"]["message"]
