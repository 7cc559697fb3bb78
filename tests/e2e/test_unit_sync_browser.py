"""The van's sync status page in real Chromium while the centre is away and after it refused
the van's release: the staff read the last contact, how many records wait (kept on the laptop),
the last error in Indonesian, and that SatuPintu must be updated, naming the release to install
(laptop 1366x768 and phone 390x844)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.errors import DomainError
from satupintu.migrate import upgrade
from satupintu.queueing import service as queue
from satupintu.unit import enrolment, link, release
from satupintu.unit.models import CentreLink
from tests.conftest import DEMO_PASSWORD, LiveServer, free_port
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login

EVENT = "plaza-lematang"


@pytest.fixture
def van_at(tmp_path_factory, tmp_path: Path) -> Iterator[tuple[LiveServer, Database]]:
    """A centre and a van enrolled with it (its bundle pulled)."""
    from satupintu.accounts import service as accounts

    with demo_server(tmp_path_factory, "pusat-sinkron", history=False) as centre:
        db: Database = centre.app.state.db
        code = enrolment.create_code(db, accounts.authenticate(db, "pengelola", DEMO_PASSWORD), EVENT, "Rina",
                                     "rina@lahatkab.go.id").code
        url = f"sqlite:///{tmp_path / 'van.db'}"
        upgrade(url)
        van = Database(url)
        link.enrol(van, centre.url, code, "Laptop Van 1")
        yield centre, van
        van.dispose()


def test_the_van_sees_its_backlog_the_centre_away_and_then_which_release_to_install(
        browser, van_at, axe_source, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    centre, van = van_at
    event = catalogue.get_site(van, EVENT)
    for _ in range(3):
        queue.issue_ticket(van, queue.Issuer(label="kios:van", site_id=event.id), EVENT, "DKC-01")
    with van.write() as s:  # the van's 4G is down: nothing answers at the centre's address
        s.execute(update(CentreLink).values(centre_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(DomainError):
        link.sync(van)
    with LiveServer(van) as at_van:
        page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
        login(page, at_van, "pengelola")
        page.goto(at_van.url + "/unit")
        failure = page.get_by_role("row", name="Gagal terakhir").inner_text()
        assert "Pusat tidak dapat dihubungi" in failure and "Data unit tetap aman" in failure
        assert int(page.get_by_role("row", name="Catatan menunggu dikirim").inner_text().split()[-1]) >= 6
        assert "Sinkronisasi otomatis setiap 60 detik" in page.locator("#auto-sync").inner_text()
        assert serious_violations(page, axe_source) == []
        screen(page, "240-unit-pusat-tak-terjangkau-1366x768")
        phone = new_context(browser, viewport={"width": 390, "height": 844}).new_page()
        login(phone, at_van, "pengelola")
        phone.goto(at_van.url + "/unit")
        screen(phone, "241-unit-pusat-tak-terjangkau-390x844", full_page=True)

        with van.write() as s:  # the link is back, but the centre was upgraded two releases on
            s.execute(update(CentreLink).values(centre_url=centre.url))
        monkeypatch.setattr(release, "CENTRE", "0.3.0")
        monkeypatch.setattr(link, "RELEASE", "0.1.0")
        page.get_by_role("button", name="Sinkronkan sekarang").click()
        page.wait_for_load_state()
        notice = page.locator("#upgrade").inner_text()
        assert "Perbarui SatuPintu di laptop ini." in notice and "Pasang SatuPintu versi 0.3.0" in notice
        assert "tetap tersimpan" in notice
        assert page.get_by_role("row", name="Kontak terakhir dengan pusat").inner_text() != \
            "Kontak terakhir dengan pusat belum pernah"
        assert int(page.get_by_role("row", name="Catatan menunggu dikirim").inner_text().split()[-1]) >= 6
        assert serious_violations(page, axe_source) == []
        screen(page, "242-unit-versi-terlalu-lama-1366x768", full_page=True)
        phone.goto(at_van.url + "/unit")
        screen(phone, "243-unit-versi-terlalu-lama-390x844", full_page=True)
