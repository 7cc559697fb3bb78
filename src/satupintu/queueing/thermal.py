"""ESC/POS thermal printing of a kiosk's ticket, for a kiosk whose printer the server drives
(python-escpos) instead of the browser's print path. The slip carries the same content as the
printed page (ticket_print.html): site, agency, service, the number, priority, time, how many
wait ahead and a QR of the citizen's ticket page (with the survey code when the kiosk prints one).

Which printer: the settings `kiosk_printer` (every kiosk) and `kiosk_printers` (one per kiosk
device, `name=spec;name=spec`, wins), each `none`, `usb:VID:PID`, `network:HOST[:PORT]` or
`file:/dev/usb/lp0` (docs/kiosk.md). Parsing is pure; printing opens the device, writes, cuts,
closes, and raises `PrintFailed` on any device error so the kiosk can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_PORT = 9100


class PrintFailed(Exception):
    """The printer could not be reached or refused the job."""


@dataclass(frozen=True)
class PrinterSpec:
    kind: str  # "usb" | "network" | "file"
    target: str  # "VID:PID" (hex), "HOST:PORT", or a device path
    vendor: int = 0
    product: int = 0
    host: str = ""
    port: int = DEFAULT_PORT


@dataclass(frozen=True)
class Slip:
    site: str
    agency: str
    service: str
    number: str
    priority: str  # "" for a regular ticket
    issued: str  # local time, as the page shows it
    ahead: int
    wait_minutes: int
    url: str  # what the QR carries
    survey_code: str = ""


def parse_printer(spec: str) -> PrinterSpec | None:
    """`none` (or empty) is no printer; anything else must be a well-formed spec (ValueError)."""
    spec = spec.strip()
    if spec.lower() in ("", "none"):
        return None
    kind, _, rest = spec.partition(":")
    kind = kind.lower()
    if kind == "usb":
        vid, _, pid = rest.partition(":")
        try:
            vendor, product = int(vid, 16), int(pid, 16)
        except ValueError:
            raise ValueError(f"usb printer needs usb:VID:PID in hex, not {spec!r}") from None
        return PrinterSpec("usb", rest, vendor=vendor, product=product)
    if kind == "network":
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        if not host:
            raise ValueError(f"network printer needs network:HOST[:PORT], not {spec!r}")
        try:
            number = int(port) if port else DEFAULT_PORT
        except ValueError:
            raise ValueError(f"network printer port must be a number, not {port!r}") from None
        if not 0 < number < 65536:
            raise ValueError(f"network printer port out of range: {number}")
        return PrinterSpec("network", f"{host}:{number}", host=host, port=number)
    if kind == "file":
        if not rest:
            raise ValueError("file printer needs a device path, e.g. file:/dev/usb/lp0")
        return PrinterSpec("file", rest)
    raise ValueError(f"unknown printer kind {kind!r}: use none, usb:, network: or file:")


def printer_for(default: str, per_device: str, device_name: str) -> PrinterSpec | None:
    """The printer of one kiosk device: its own entry in `per_device` if any, else `default`."""
    for entry in per_device.split(";"):
        name, sep, spec = entry.partition("=")
        if sep and name.strip() == device_name:
            return parse_printer(spec)
    return parse_printer(default)


def _open(spec: PrinterSpec, timeout: float) -> Any:
    from escpos import printer  # deferred: only a kiosk with a thermal printer needs it

    if spec.kind == "network":
        return printer.Network(spec.host, spec.port, timeout=timeout)
    if spec.kind == "usb":
        return printer.Usb(spec.vendor, spec.product, timeout=int(timeout * 1000))
    return printer.File(spec.target)


def render(p: Any, slip: Slip) -> None:
    """The slip's ESC/POS commands onto an open python-escpos printer."""
    p.hw("INIT")
    p.set(align="center", bold=True)
    p.textln(slip.site)
    p.set(align="center", bold=False)
    p.textln(slip.agency)
    p.textln(slip.service)
    p.ln()
    p.set(align="center", bold=True, custom_size=True, width=4, height=4)
    p.textln(slip.number)
    p.set(align="center", bold=False, normal_textsize=True)
    if slip.priority:
        p.textln(f"Prioritas: {slip.priority}")
    p.textln(slip.issued)
    p.textln(f"Di depan Anda: {slip.ahead} orang")
    p.textln(f"Perkiraan menunggu: {slip.wait_minutes} menit")
    p.ln()
    p.qr(slip.url, size=6, native=True)
    p.textln("Pindai untuk memantau antrean dari ponsel")
    if slip.survey_code:
        p.textln(f"Kode survei: {slip.survey_code}")
    p.cut()


def print_slip(spec: PrinterSpec, slip: Slip, timeout: float = 5.0) -> None:
    try:
        p = _open(spec, timeout)
        p.open()
        try:
            render(p, slip)
        finally:
            p.close()
    except Exception as exc:  # any device, driver or socket error is one answer: not printed
        raise PrintFailed(f"{spec.kind}:{spec.target}: {exc}") from exc
