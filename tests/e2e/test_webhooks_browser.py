"""The webhook pages in real Chromium, as a site manager uses them: a plain-http address is
refused beside its field, a subscription shows its signing secret once, a complaint's webhook
that the receiver refused (500) shows in the delivery log with its code and duration, and the
"Kirim ulang" button sends it again until the log says delivered; a receiver that keeps
failing gets its subscription switched off, with the reason on the page. axe-core finds no
serious violations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from satupintu.accounts import service as accounts
from satupintu.config import get_settings
from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.feedback import complaint_service
from satupintu.feedback.complaint_schemas import ComplaintIn
from satupintu.integration import service
from satupintu.integration.webhook_worker import WebhookWorker
from satupintu.migrate import upgrade
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login
from tests.integration.webhook_receiver import Receiver


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('webhooks') / 'webhooks.db'}"
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD, history=False)
    try:
        with LiveServer(db, webhook_allow_http_loopback=True) as server:
            yield server
    finally:
        db.dispose()


def test_a_manager_subscribes_sees_a_refused_delivery_in_the_log_and_sends_it_again(browser, live,  # noqa: F811
                                                                                     axe_source):
    db: Database = live.app.state.db
    actor = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    client = service.register_client(db, actor, "lahat", service.ClientIn.model_validate(
        {"name": "Portal Pengaduan Lahat", "owner_agency": "Inspektorat Kabupaten Lahat",
         "contact_name": "Rina Wulandari", "contact_email": "rina@lahatkab.go.id"}))
    service.create_key(db, actor, "lahat", client.id, service.KeyIn.model_validate(
        {"scopes": ["complaints:read", "queue:read"]}))
    laptop = new_context(browser, viewport={"width": 1366, "height": 768})
    page = laptop.new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat/integrasi/{client.id}")
    page.get_by_role("link", name="Langganan webhook dan log pengiriman").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Webhook: Portal Pengaduan Lahat").count() == 1

    page.get_by_label("Alamat tujuan (https)").fill("http://pengaduan.lahatkab.go.id/webhook")
    page.get_by_label("complaint.received").check()
    page.get_by_role("button", name="Berlangganan").click()
    page.wait_for_load_state()
    assert page.locator("#url[aria-invalid='true']").count() == 1
    assert page.locator("#url-error").inner_text() == "Alamat tujuan harus memakai https."
    page.locator("#url-error").scroll_into_view_if_needed()
    screen(page, "210-kelola-webhook-alamat-http-1366x768")
    assert serious_violations(page, axe_source) == []

    with Receiver(script=[500]) as receiver:
        page.get_by_label("Alamat tujuan (https)").fill(receiver.url)
        page.get_by_role("button", name="Berlangganan").click()
        page.wait_for_load_state()
        secret = page.get_by_role("textbox", name="Rahasia penandatangan").input_value()
        assert secret.startswith("whsec_")
        assert "hanya tampil sekali" in page.get_by_role("alert").inner_text()
        screen(page, "211-kelola-webhook-rahasia-baru-1366x768")
        assert serious_violations(page, axe_source) == []

        complaint_service.file_complaint(db, "lahat", ComplaintIn(
            title="Ruang tunggu panas", body="Pendingin ruangan di lantai dua mati sejak pagi.",
            reporter_name="Siti Aminah", reporter_contact="081298765432"), "web")
        worker = WebhookWorker(db, get_settings(), client=httpx.Client(timeout=5))
        worker.run_once()
        assert "langganan=baru" in page.url  # the POST answered with a redirect: the page is a GET
        page.reload()  # reloaded: only the secret's prefix, and still one subscription
        assert secret not in page.content()
        assert "hanya ditampilkan sekali" in page.locator("[role=status]").first.inner_text()
        assert page.locator("#endpoints tbody tr").count() == 1
        screen(page, "236-kelola-webhook-dimuat-ulang-1366x768")
        page.get_by_role("link", name="Log pengiriman").click()
        page.wait_for_load_state()
        row = page.locator("#deliveries tbody tr").first
        assert "complaint.received" in row.inner_text() and "Menunggu" in row.inner_text()
        assert "500" in row.inner_text() and " ms" in row.inner_text()
        screen(page, "212-kelola-webhook-log-gagal-1366x768")
        assert serious_violations(page, axe_source) == []

        page.get_by_role("button", name="Kirim ulang").first.click()
        page.wait_for_load_state()
        assert "dijadwalkan ulang" in page.get_by_role("status").first.inner_text()
        worker.run_once()
        page.goto(page.url.split("?")[0])
        row = page.locator("#deliveries tbody tr").first
        assert "Terkirim" in row.inner_text() and "200" in row.inner_text()
        screen(page, "213-kelola-webhook-log-terkirim-1366x768")
        assert serious_violations(page, axe_source) == []
        last = receiver.received[-1]
        assert Webhook(secret).verify(last.body, last.headers)["type"] == "complaint.received"
        assert b"Siti" not in last.body and b"081298765432" not in last.body

        # The manager makes a new signing secret: shown once on the list, the next delivery is
        # signed with it (the old one no longer verifies).
        page.get_by_role("button", name="Buat rahasia penandatangan baru").click()
        page.wait_for_load_state()
        rotated = page.get_by_role("textbox", name="Rahasia penandatangan").input_value()
        assert rotated.startswith("whsec_") and rotated != secret
        screen(page, "238-kelola-webhook-rahasia-diganti-1366x768")
        page.get_by_role("link", name="Log pengiriman").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Kirim ulang").first.click()
        page.wait_for_load_state()
        worker.run_once()
        last = receiver.received[-1]
        assert Webhook(rotated).verify(last.body, last.headers)["type"] == "complaint.received"
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(last.body, last.headers)

        # The receiver goes down for good: after the failures allowed the subscription is
        # switched off, the page says so and why, and the contact is e-mailed (notify outbox).
        receiver.default = 503
        failing = WebhookWorker(db, get_settings().model_copy(update={"webhook_disable_after_failures": 2}),
                                client=httpx.Client(timeout=5))
        page.get_by_role("button", name="Kirim ulang").first.click()
        page.wait_for_load_state()
        failing.run_once()
        page.get_by_role("button", name="Kirim ulang").first.click()
        page.wait_for_load_state()
        failing.run_once()
        page.goto(page.url.split("?")[0])
        alert = page.get_by_role("alert").inner_text()
        assert "Langganan ini nonaktif." in alert and "Dinonaktifkan otomatis: 2 kali gagal" in alert
        assert page.get_by_role("button", name="Aktifkan kembali").count() == 1
        screen(page, "214-kelola-webhook-nonaktif-otomatis-1366x768")
        assert serious_violations(page, axe_source) == []
        failing.stop()
        worker.stop()
    laptop.close()
    assert uuid.UUID(last.headers["webhook-id"])
