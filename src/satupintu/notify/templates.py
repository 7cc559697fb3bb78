"""Message texts for citizens, Indonesian first (the default) with English variants.

render(kind, locale, **params) gives a subject (used by e-mail) and a body (e-mail, WhatsApp
and SMS alike, so kept short). Times are formatted by the caller in the site's zone, e.g.
with timeutil.format_local(); these templates do no I/O.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    ticket_called = "ticket_called"
    booking_reminder = "booking_reminder"
    application_status_changed = "application_status_changed"


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    optional: dict[str, str]  # optional param -> line added to the body when it is given


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"

TEMPLATES: dict[Kind, dict[str, Template]] = {
    Kind.ticket_called: {
        "id": Template(
            subject="Nomor antrean {number} dipanggil",
            body="Nomor antrean {number} dipanggil ke Loket {counter} di {site}. Silakan segera menuju loket; "
                 "nomor yang tidak hadir dapat dilewati.",
            optional={}),
        "en": Template(
            subject="Queue number {number} is being called",
            body="Queue number {number} is called to counter {counter} at {site}. Please go to the counter now; "
                 "a number that does not come may be skipped.",
            optional={}),
    },
    Kind.booking_reminder: {
        "id": Template(
            subject="Pengingat jadwal layanan {date}",
            body="Pengingat: Anda terjadwal untuk layanan {service} di {site} pada {date} pukul {time}. "
                 "Kode booking: {code}. Tunjukkan kode ini di kios saat tiba. Jika berhalangan, mohon batalkan "
                 "agar jadwal dapat dipakai warga lain.",
            optional={"cancel_link": "Batalkan: {cancel_link}"}),
        "en": Template(
            subject="Appointment reminder for {date}",
            body="Reminder: your appointment for {service} at {site} is on {date} at {time}. "
                 "Booking code: {code}. Show this code at the kiosk when you arrive. If you cannot come, please "
                 "cancel so someone else can use the slot.",
            optional={"cancel_link": "Cancel: {cancel_link}"}),
    },
    Kind.application_status_changed: {
        "id": Template(
            subject="Permohonan {number}: {status}",
            body="Status permohonan {service} nomor {number} sekarang: {status}.",
            optional={"note": "Keterangan: {note}", "link": "Lacak permohonan: {link}"}),
        "en": Template(
            subject="Application {number}: {status}",
            body="The status of your {service} application number {number} is now: {status}.",
            optional={"note": "Note: {note}", "link": "Track your application: {link}"}),
    },
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def required_params(kind: Kind | str) -> set[str]:
    t = TEMPLATES[Kind(kind)][DEFAULT_LOCALE]
    return _fields(t.subject) | _fields(t.body)


def render(kind: Kind | str, locale: str | None = None, **params: object) -> Rendered:
    """The message for `kind` in `locale` ('id' when missing or unknown, e.g. 'en-US' -> 'en')."""
    variants = TEMPLATES[Kind(kind)]
    lang = (locale or DEFAULT_LOCALE).split("-")[0].split("_")[0].lower()
    t = variants.get(lang, variants[DEFAULT_LOCALE])
    missing = sorted(required_params(kind) - params.keys())
    if missing:
        raise ValueError(f"template {Kind(kind).value} needs {', '.join(missing)}")
    values = {k: str(v) for k, v in params.items()}
    lines = [t.body.format_map(values)]
    for name, line in t.optional.items():
        if values.get(name, "").strip():
            lines.append(line.format_map(values))
    subject = " ".join(t.subject.format_map(values).split())
    return Rendered(subject=subject, body="\n".join(lines))
