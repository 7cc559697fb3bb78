"""The kiosk's screens over HTTP (kiosk mode): each step is one page, none carries the public
header or the staff sign-in, none may be cached; a chosen service no counter serves says so."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from satupintu.catalogue.models import Service, counter_services
from satupintu.queueing import lookup
from tests.conftest import token_for


def _kiosk(c) -> str:  # type: ignore[no-untyped-def]
    manager = token_for(c, "pengelola")
    made = c.post("/api/v1/sites/lahat/devices", headers=manager, json={"kind": "kiosk", "name": "Kios"})
    return made.json()["token"]


def test_every_kiosk_step_is_full_screen_and_not_cached(fresh_server):
    """Start, agency, service, priority: the kiosk's own layout (no 'Masuk petugas', no site
    navigation), `Cache-Control: no-store`, and the step's own content."""
    with fresh_server.client() as c:
        token = _kiosk(c)
        steps = {f"/kios/lahat?token={token}": 'id="start-take"', "/kios/lahat?langkah=instansi": "Pilih instansi",
                 "/kios/lahat?instansi=DUKCAPIL": 'name="layanan" value="DKC-01"',
                 "/kios/lahat?q=akta+lahir": "Penerbitan Akta Kelahiran",
                 "/kios/lahat?instansi=DUKCAPIL&layanan=DKC-01": 'name="priority" value="elderly"'}
        for path, marker in steps.items():
            page = c.get(path)
            assert page.status_code == 200, path
            assert marker in page.text, path
            assert page.headers["cache-control"] == "no-store", path
            assert "Masuk petugas" not in page.text and 'href="/masuk"' not in page.text, path
            assert 'class="kiosk-app"' in page.text and 'href="/mpp"' not in page.text, path
            hrefs = re.findall(r'href="([^"]+)"', page.text)
            assert all(h.startswith(("?", "/kios/lahat", "/static/")) for h in hrefs), (path, hrefs)
        # an unknown service code goes back to choosing, not to an error
        unknown = c.get("/kios/lahat?instansi=DUKCAPIL&layanan=ZZZ-99")
        assert unknown.status_code == 200 and "Pilih layanan" in unknown.text


def test_a_service_nobody_serves_says_so_on_the_kiosk(fresh_server):
    """The priority step of a service whose last counter stopped serving it answers 409 with
    'Layanan ini belum dilayani loket mana pun saat ini.' and the service's name."""
    db = fresh_server.app.state.db
    with fresh_server.client() as c:
        token = _kiosk(c)
        with db.write() as s:
            service_id = s.scalar(select(Service.id).where(Service.code == "DKC-05"))
            name = s.scalar(select(Service.name).where(Service.id == service_id))
            s.execute(delete(counter_services).where(counter_services.c.service_id == service_id))
        lookup.clear(db)
        page = c.get(f"/kios/lahat?token={token}&instansi=DUKCAPIL&layanan=DKC-05")
        assert page.status_code == 409
        assert "Layanan ini belum dilayani loket mana pun saat ini." in page.text and name in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/kios/lahat").text).group(1)
        taken = c.post("/kios/lahat/ambil", data={"csrf": csrf, "service_code": "DKC-05"})
        assert taken.status_code == 409 and "belum dilayani loket mana pun" in taken.text
