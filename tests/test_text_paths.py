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
