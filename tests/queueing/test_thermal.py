"""ESC/POS printing of a kiosk's ticket (queueing/thermal.py) against fake printer devices the
test runs: a real TCP socket server on 127.0.0.1 (python-escpos's Network printer connects to
it as to a printer on port 9100) and a file standing for /dev/usb/lp0. The bytes a printer
would receive must start with ESC @ (initialise), carry the ticket number, the QR of the
ticket's page (GS ( k with the URL) and end with GS V (cut)."""

from __future__ import annotations

import re
import socket
import threading
import uuid

import pytest

from satupintu.queueing import thermal
from tests.conftest import LiveServer, token_for

INIT = b"\x1b@"
CUT = b"\x1dV"
QR_STORE = b"\x1d(k"


class FakePrinter:
    """A TCP printer: accepts connections and keeps every byte each job sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self.done = threading.Semaphore(0)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            data = bytearray()
            with conn:
                while chunk := conn.recv(4096):
                    data.extend(chunk)
            self.jobs.append(bytes(data))
            self.done.release()

    def wait_job(self) -> bytes:
        assert self.done.acquire(timeout=10), "the printer received no job"
        return self.jobs[-1]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def printer():
    p = FakePrinter()
    yield p
    p.close()


SLIP = thermal.Slip("MPP Kabupaten Lahat", "Dinas Dukcapil", "Perekaman KTP-el", "A-007", "Lansia",
                    "02/12/2026 09:15 WIB", 3, 12, "http://mpp.example/antrian/abc", "ABCD-EFGH")


def _qr_payload(data: bytes) -> bytes:
    """The data stored in the printer's QR symbol (GS ( k pL pH 49 80 48 data)."""
    match = re.search(rb"\x1d\(k(.)(.)1P0", data, re.S)
    assert match, "no QR store command"
    length = match.group(1)[0] + 256 * match.group(2)[0] - 3
    return data[match.end():match.end() + length]


def test_printer_settings_are_parsed_and_bad_ones_refused() -> None:
    assert thermal.parse_printer("none") is None and thermal.parse_printer("") is None
    assert thermal.parse_printer("network:10.0.0.21:9100") == thermal.PrinterSpec(
        "network", "10.0.0.21:9100", host="10.0.0.21", port=9100)
    assert thermal.parse_printer("network:printer.lan").port == 9100
    usb = thermal.parse_printer("usb:04b8:0202")
    assert (usb.kind, usb.vendor, usb.product) == ("usb", 0x04B8, 0x0202)
    assert thermal.parse_printer("file:/dev/usb/lp0") == thermal.PrinterSpec("file", "/dev/usb/lp0")
    for bad in ("usb:xyz", "network:", "network:host:port", "network:host:70000", "file:", "serial:/dev/ttyS0"):
        with pytest.raises(ValueError):
            thermal.parse_printer(bad)
    assert thermal.printer_for("none", "kios-a=file:/dev/usb/lp0;kios-b=network:h:9100", "kios-b").host == "h"
    assert thermal.printer_for("file:/dev/usb/lp1", "kios-a=file:/dev/usb/lp0", "kios-c").target == "/dev/usb/lp1"
    assert thermal.printer_for("none", "kios-a=file:/dev/usb/lp0", "kios-c") is None


def test_a_network_printer_receives_the_ticket_with_init_qr_and_cut(printer) -> None:
    """What comes out of the thermal printer: the site, the number in large type, the service,
    the waiting count and the QR of the ticket page; initialised first, cut at the end."""
    thermal.print_slip(thermal.parse_printer(f"network:127.0.0.1:{printer.port}"), SLIP, timeout=5)
    data = printer.wait_job()
    assert data.startswith(INIT)
    assert data.endswith(CUT + b"\x00")  # full cut, after the feed
    for text in (b"MPP Kabupaten Lahat", b"Dinas Dukcapil", b"Perekaman KTP-el", b"A-007", b"Prioritas: Lansia",
                 b"Di depan Anda: 3 orang", b"Kode survei: ABCD-EFGH"):
        assert text in data, text
    assert re.search(rb"\x1d!3(\x1b[Ea].)*A-007\n", data, re.S)  # the number at 4x width and height (GS ! 0x33)
    assert QR_STORE in data and _qr_payload(data) == b"http://mpp.example/antrian/abc"


def test_a_file_device_gets_the_same_bytes(tmp_path, printer) -> None:
    lp0 = tmp_path / "lp0"
    lp0.touch()
    thermal.print_slip(thermal.parse_printer(f"file:{lp0}"), SLIP)
    thermal.print_slip(thermal.parse_printer(f"network:127.0.0.1:{printer.port}"), SLIP)
    assert lp0.read_bytes() == printer.wait_job()


def test_a_printer_that_does_not_answer_is_one_error() -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there
    with pytest.raises(thermal.PrintFailed):
        thermal.print_slip(thermal.parse_printer(f"network:127.0.0.1:{port}"), SLIP, timeout=2)


def _kiosk_form(c, name: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    manager = token_for(c, "pengelola")
    token = c.post("/api/v1/sites/lahat/devices", headers=manager, json={"kind": "kiosk", "name": name}).json()
    page = c.get(f"/kios/lahat?token={token['token']}&instansi=DUKCAPIL&layanan=DKC-01")
    assert page.status_code == 200 and 'name="service_code" value="DKC-01"' in page.text
    return token["token"], re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_a_kiosk_with_a_thermal_printer_prints_on_issue_and_again_on_request(fresh_demo_db, printer):
    """The kiosk 'Kios Lobi' is set to a network printer: taking a number prints the slip there
    (its number and the ticket page's address in the QR), the ticket screen does not open the
    browser's print, and 'Cetak ulang' prints the same slip again. Another kiosk is unaffected."""
    with LiveServer(fresh_demo_db, kiosk_printers=f"Kios Lobi=network:127.0.0.1:{printer.port}") as live, \
            live.client() as c:
        _, csrf = _kiosk_form(c, "Kios Lobi")
        issued = c.post("/kios/lahat/ambil", data={"csrf": csrf, "service_code": "DKC-01", "priority": "elderly",
                                                   "idempotency_key": str(uuid.uuid4())})
        assert issued.status_code == 303 and issued.headers["location"].endswith("/cetak?termal=ok")
        job = printer.wait_job()
        screen = c.get(issued.headers["location"])
        number = re.search(r'<div class="number">([^<]+)</div>', screen.text).group(1)
        ticket_id = re.search(r"/antrian/([0-9a-f-]+)/cetak", issued.headers["location"]).group(1)
        assert job.startswith(INIT) and number.encode() in job and b"Prioritas: Lansia" in job
        assert _qr_payload(job).startswith(f"{live.url}/antrian/{ticket_id}".encode())
        assert 'data-autoprint="0"' in screen.text and "Cetak ulang" in screen.text
        assert screen.headers["cache-control"] == "no-store"

        again = c.post(f"/kios/lahat/cetak-ulang/{ticket_id}", data={"csrf": csrf})
        assert again.status_code == 303 and again.headers["location"].endswith("?termal=ok")
        assert number.encode() in printer.wait_job() and len(printer.jobs) == 2

    with LiveServer(fresh_demo_db, kiosk_printers="Kios Lobi=network:127.0.0.1:9") as live, live.client() as c:
        _, csrf = _kiosk_form(c, "Kios Dua")
        plain = c.post("/kios/lahat/ambil", data={"csrf": csrf, "service_code": "DKC-01"})
        assert plain.headers["location"].endswith("/cetak")  # the browser prints, as before
        assert 'data-autoprint="1"' in c.get(plain.headers["location"]).text


def test_when_the_thermal_printer_is_off_the_kiosk_says_so(fresh_demo_db):
    """The printer does not answer: the number is issued, and the ticket screen says the ticket
    was not printed, with 'Cetak ulang' and the way to withdraw the number."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with LiveServer(fresh_demo_db, kiosk_printer=f"network:127.0.0.1:{port}", kiosk_printer_timeout=2) as live, \
            live.client() as c:
        _, csrf = _kiosk_form(c, "Kios Lobi")
        issued = c.post("/kios/lahat/ambil", data={"csrf": csrf, "service_code": "DKC-01"})
        assert issued.headers["location"].endswith("/cetak?termal=gagal")
        screen = c.get(issued.headers["location"]).text
        assert "Printer tiket tidak menjawab." in screen and "Batalkan nomor ini" in screen
