"""Complaint (pengaduan) rules modelled on SP4N-LAPOR!: states, who may move them, deadlines.
Pure, no I/O."""

from __future__ import annotations

import enum
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta


class Kind(str, enum.Enum):
    complaint = "pengaduan"
    aspiration = "aspirasi"
    information = "permintaan_informasi"


class Privacy(str, enum.Enum):
    normal = "normal"
    anonymous = "anonim"  # the reporter is hidden
    secret = "rahasia"  # the whole report is hidden from the public


class Severity(str, enum.Enum):
    urgent = "darurat"
    high = "tinggi"
    normal = "sedang"
    complex = "kompleks"


class State(str, enum.Enum):
    received = "diterima"
    verified = "diverifikasi"
    rejected = "ditolak"
    not_authority = "bukan_wewenang"
    assigned = "didisposisikan"
    in_follow_up = "ditindaklanjuti"
    answered = "dijawab"
    closed = "selesai"


class Step(str, enum.Enum):
    verify = "verify"
    reject = "reject"
    not_authority = "not_authority"
    assign = "assign"
    follow_up = "follow_up"
    answer = "answer"
    close = "close"
    reopen = "reopen"


# (from, step) -> to; who takes it: "manager" (site), "agency" (the assigned agency), "reporter".
FLOW: dict[tuple[State, Step], tuple[State, str]] = {
    (State.received, Step.verify): (State.verified, "manager"),
    (State.received, Step.reject): (State.rejected, "manager"),
    (State.received, Step.not_authority): (State.not_authority, "manager"),
    (State.verified, Step.assign): (State.assigned, "manager"),
    (State.assigned, Step.follow_up): (State.in_follow_up, "agency"),
    (State.assigned, Step.answer): (State.answered, "agency"),
    (State.in_follow_up, Step.answer): (State.answered, "agency"),
    (State.answered, Step.close): (State.closed, "manager"),
    (State.answered, Step.reopen): (State.in_follow_up, "reporter"),
    (State.closed, Step.reopen): (State.in_follow_up, "reporter"),
}
NEEDS_REASON = {Step.reject, Step.not_authority, Step.answer, Step.reopen}
OPEN = {State.received, State.verified, State.assigned, State.in_follow_up}
# Shown on public lists: only what the site verified (as SP4N-LAPOR! does), never a report
# still unread, rejected or outside the site's authority.
PUBLISHED = {State.verified, State.assigned, State.in_follow_up, State.answered, State.closed}

STATE_LABELS = {
    State.received: ("Diterima", "Received"), State.verified: ("Diverifikasi", "Verified"),
    State.rejected: ("Ditolak", "Rejected"), State.not_authority: ("Bukan wewenang", "Not our authority"),
    State.assigned: ("Didisposisikan ke instansi", "Assigned to an agency"),
    State.in_follow_up: ("Sedang ditindaklanjuti", "In follow-up"), State.answered: ("Dijawab", "Answered"),
    State.closed: ("Selesai", "Closed"),
}

# What staff and reporters read for every step of the flow (and the steps the system records:
# filing and escalation), Indonesian first, then English; never the raw key.
STEP_LABELS: dict[str, tuple[str, str]] = {
    "file": ("Pengaduan masuk", "Complaint filed"),
    Step.verify.value: ("Verifikasi", "Verify"),
    Step.reject.value: ("Tolak", "Reject"),
    Step.not_authority.value: ("Bukan wewenang MPP", "Not our authority"),
    Step.assign.value: ("Disposisikan ke instansi", "Assign to an agency"),
    Step.follow_up.value: ("Tindak lanjuti", "Start follow-up"),
    Step.answer.value: ("Jawab", "Answer"),
    Step.close.value: ("Tutup (selesai)", "Close"),
    Step.reopen.value: ("Buka kembali", "Reopen"),
    "respond": ("Tanggapan pelapor", "Reporter's response"),
    "escalate": ("Diteruskan ke pengelola (lewat batas waktu)", "Escalated to the manager (overdue)"),
}
SEVERITY_LABELS = {
    Severity.normal: ("Sedang", "Normal"), Severity.urgent: ("Darurat", "Urgent"),
    Severity.high: ("Tinggi", "High"), Severity.complex: ("Kompleks", "Complex"),
}


def step_label(step: str, lang: str = "id") -> str:
    """The label of a step key in the language asked; an unknown key is shown as it is."""
    pair = STEP_LABELS.get(step)
    if pair is None:
        return step
    return pair[1] if lang == "en" else pair[0]


VERIFY_DAYS = 3  # working days to verify, as in SP4N-LAPOR!
DEFAULT_DAYS = {Severity.urgent: 2, Severity.high: 5, Severity.normal: 14, Severity.complex: 60}
REOPEN_WINDOW = timedelta(days=10)
DUE_SOON = timedelta(days=2)


class IllegalStep(Exception):
    def __init__(self, state: State, step: Step) -> None:
        super().__init__(f"{step.value} not allowed from {state.value}")
        self.state, self.step = state, step


def next_state(state: State, step: Step) -> tuple[State, str]:
    """The state a step leads to and the party allowed to take it."""
    try:
        return FLOW[(state, step)]
    except KeyError:
        raise IllegalStep(state, step) from None


def can_reopen(answered_or_closed_at: datetime | None, now: datetime) -> bool:
    return answered_or_closed_at is not None and now - answered_or_closed_at <= REOPEN_WINDOW


@dataclass(frozen=True)
class Timing:
    overdue: bool
    due_soon: bool


def timing(state: State, due: datetime | None, now: datetime) -> Timing:
    if state not in OPEN or due is None:
        return Timing(False, False)
    return Timing(now >= due, now < due <= now + DUE_SOON)


MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; more is refused before it is decoded
# What a file really is, from its first bytes (the name and the browser's type can lie)...
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"%PDF-", "application/pdf"))
# ...and the name it is stored and downloaded under, whatever it was called when uploaded.
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def sniff(data: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def _whole_image(data: bytes, content_type: str) -> bool:
    """Pillow reads the file as that format, its checksums hold, and every pixel decodes."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[content_type]]) as image:
            image.verify()
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[content_type]]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return False
            image.load()
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError...) for a bad image
        return False
    return True


def _whole_pdf(data: bytes) -> bool:
    """pypdf reads the document and its pages, and it ends as a PDF must (a truncated upload does not)."""
    if b"%%EOF" not in data[-1024:]:
        return False
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return False
        return len(reader.pages) >= 1
    except Exception:  # pypdf raises many kinds for a broken document
        return False


def attachment_type(data: bytes) -> str | None:
    """The content type of a PNG, JPEG or PDF that really is one (first bytes, then parsed), else None."""
    content_type = sniff(data)
    if content_type is None:
        return None
    whole = _whole_pdf(data) if content_type == "application/pdf" else _whole_image(data, content_type)
    return content_type if whole else None


def attachment_name(number: int, content_type: str) -> str:
    """The stored and downloaded name: from the detected type, never from the upload ('lampiran-1.png')."""
    return f"lampiran-{number}.{EXTENSIONS[content_type]}"


def download_name(stored: str, content_type: str) -> str:
    """The name to download under: the stored one when it is one of ours for that type; else (a file
    stored under its uploaded name, before names came from the type) 'lampiran' with the type's extension."""
    extension = EXTENSIONS.get(content_type, "bin")
    return stored if re.fullmatch(rf"lampiran-\d+\.{extension}", stored) else f"lampiran.{extension}"
