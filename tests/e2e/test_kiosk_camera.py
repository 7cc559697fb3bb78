"""Check-in by the kiosk's camera, in real Chromium with a camera that films a booking's QR.

Chromium's fake capture device plays a Y4M video; the video here is the QR code the citizen
got when booking (segno, as on the booking page), so the page reads it exactly as it would
from a phone screen held up to the kiosk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from satupintu.catalogue.models import Service, Site
from satupintu.queueing.models import Booking
from satupintu.queueing.policy import local_day
from satupintu.web.qr import qr_code
from tests.conftest import LiveServer
from tests.e2e.conftest import ARGS, CHROMIUM, demo_server, shot
from tests.e2e.test_front_of_house import device

VENDORED = Path(__file__).resolve().parents[2] / "src" / "satupintu" / "web" / "static" / "vendor" / "jsQR.js"
NPM_COPY = Path(__file__).resolve().parents[2] / "node_modules" / "jsqr" / "dist" / "jsQR.js"


def qr_video(text: str, path: Path, width: int = 640, height: int = 480, frames: int = 10) -> Path:
    """A Y4M video (4:2:0) of the QR code of `text`, black on white, centred."""
    qr = qr_code(text)  # the code the booking page shows
    matrix = [list(row) for row in qr.matrix_iter(border=4)]
    scale = min(width, height) * 3 // 4 // len(matrix)
    size = scale * len(matrix)
    top, left = (height - size) // 2, (width - size) // 2
    luma = bytearray(b"\xff" * (width * height))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                for y in range(top + r * scale, top + (r + 1) * scale):
                    start = y * width + left + c * scale
                    luma[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (width // 2 * height // 2)
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "camera") as server:
        yield server


def test_the_kiosk_reads_the_booking_qr_from_its_camera_and_prints_the_ticket(browser, live, tmp_path):
    now = datetime.now(UTC)
    db = live.app.state.db
    with db.write() as s:  # a citizen booked a slot later today and shows the QR at the kiosk
        site = s.scalar(select(Site).where(Site.code == "lahat"))
        svc = s.scalar(select(Service).where(Service.code == "DKC-04"))
        s.add(Booking(site_id=site.id, service_id=svc.id, on_date=local_day(now, site.timezone),
                      slot_start=now + timedelta(minutes=30), code="CAM4QR77", name="Rina", status="booked"))
    video = qr_video("CAM4QR77", tmp_path / "booking-qr.y4m")
    camera = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        *ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        ctx = camera.new_context(permissions=["camera"])
        page = ctx.new_page()
        page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
        scan = page.get_by_role("button", name="Pindai QR dengan kamera")
        assert scan.is_visible()
        scan.click()
        page.wait_for_url(re.compile(r"/antrian/.+/cetak"), timeout=20_000)
        assert re.fullmatch(r"A-\d{3}", page.locator(".number").inner_text())
        shot(page, "27-kios-pindai-kamera")
        with db.read() as s:
            assert s.scalar(select(Booking.status).where(Booking.code == "CAM4QR77")) == "checked_in"
        ctx.close()
    finally:
        camera.close()


def test_without_a_camera_the_kiosk_says_so_and_typing_still_works(browser, live):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.add_init_script("navigator.mediaDevices.getUserMedia = () => Promise.reject(new Error('no camera'))")
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    page.get_by_role("button", name="Pindai QR dengan kamera").click()
    status = page.locator("#scan-status")
    status.filter(has_text="Kamera tidak dapat dipakai").wait_for(timeout=5_000)
    assert page.get_by_label(re.compile("kode pemesanan")).is_editable()
    ctx.close()


def test_a_booking_code_gets_a_full_qr_code_not_a_micro_qr_that_phones_cannot_read():
    assert not qr_code("CAM4QR77").is_micro
    assert qr_code("CAM4QR77").version == 1


def test_the_vendored_qr_decoder_is_the_npm_release():
    """static/vendor/jsQR.js is jsqr 1.4.0 from npm (package.json), unchanged."""
    if not NPM_COPY.exists():
        pytest.skip("node_modules missing: run `npm ci`")
    assert VENDORED.read_bytes() == NPM_COPY.read_bytes()
