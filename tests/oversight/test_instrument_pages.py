"""The instrument page over real HTTP, on both databases: a manager who posts the form anyway
hears 403 and nothing changes; the overseer who saved from version 1 after another save came
first is told so beside the form (409) and keeps what they typed; an instrument with every aspect
removed names the aspects box."""

from __future__ import annotations

import re

from tests.conftest import LiveServer
from tests.test_pages import csrf_of, login


def _form(html: str) -> list[tuple[str, str]]:
    """The instrument form's text inputs as posted (enough for the tests: name, keys, weights)."""
    pairs = [(m.group(1), m.group(2)) for m in re.finditer(r'<input id="[^"]*" name="([^"]+)" value="([^"]*)"', html)]
    return [(k, v.replace("&#39;", "'").replace("&amp;", "&")) for k, v in pairs]


def _data(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def test_a_manager_may_not_post_and_a_stale_edit_is_refused_beside_the_form(server: LiveServer) -> None:
    with server.client() as manager_c:
        login(manager_c, "pengelola")
        page = manager_c.get("/nasional/instrumen")
        assert page.status_code == 200 and 'action="/nasional/instrumen"' not in page.text
        csrf = csrf_of(manager_c.get("/kelola/lahat/kesiapan").text)
        refused = manager_c.post("/nasional/instrumen", data={"csrf": csrf, "name": "Instrumen pengelola"})
        assert refused.status_code == 403
    with server.client() as c:
        login(c, "overseer")
        html = c.get("/nasional/instrumen").text
        version = int(re.search(r'name="base_version" value="(\d+)"', html).group(1))
        assert "Instrumen pengelola" not in html
        fields = _form(html)
        assert any(k == "aspects[0].weight" for k, _ in fields)

        emptied = [("csrf", csrf_of(html)), ("base_version", str(version)), ("name", "Tanpa aspek")] + [
            (f"aspects[{n}].remove", "1") for n in range(7)]
        r = c.post("/nasional/instrumen", data=_data(emptied))
        assert r.status_code == 422
        assert 'id="aspects-error">Instrumen harus memiliki paling sedikit satu aspek.' in r.text

        old = [("csrf", csrf_of(html)), ("base_version", str(version - 1 if version > 1 else 0))] + [
            (k, v) for k, v in fields if k not in ("note",)] + [("note", "Perubahan yang terlambat")]
        r = c.post("/nasional/instrumen", data=_data(old))
        assert r.status_code == 409
        assert "sudah diubah orang lain" in r.text and 'value="Perubahan yang terlambat"' in r.text
        assert re.search(r'name="base_version" value="(\d+)"', c.get("/nasional/instrumen").text).group(1) \
            == str(version)
