"""Who owns each table's rows when a mobile service unit works for the centre (pure).

Every row has exactly one owner, so sync never merges concurrent edits:

- CENTRE rows are made and changed at the central instance (catalogue, accounts, devices,
  settings). They go DOWN to the unit, which only reads them.
- UNIT rows are the event's front of house (visits, tickets, counter states, surveys,
  complaints, applications, audit) while the event runs. They go UP to the centre, which
  applies them through the same rules as any other write.
- Where the centre later works a complaint or application that came from the unit, the row
  is HANDED OVER: from then on the centre owns it and the unit stops changing it.
- LOCAL rows never leave the install they were made on (caches, outboxes, kept rollups,
  idempotency records, another site's business).

The README's ownership table is generated from OWNERSHIP (tests keep them equal), and a test
fails when a new table is added without saying who owns it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Owner(enum.StrEnum):
    centre = "centre"
    unit = "unit"
    local = "local"


@dataclass(frozen=True)
class Ownership:
    owner: Owner
    rows: str  # which rows of the table move, in words (the README's column)
    handed_over: bool = False  # the centre may take the row over once it works it


_C, _U, _L = Owner.centre, Owner.unit, Owner.local

OWNERSHIP: dict[str, Ownership] = {
    # catalogue: the centre's
    "sites": Ownership(_C, "the event and its mall"),
    "site_opening_hours": Ownership(_C, "the event's"),
    "site_closures": Ownership(_C, "the event's (holidays set by the admin)"),
    "agencies": Ownership(_C, "the mall's agencies"),
    "services": Ownership(_C, "the services the event offers"),
    "site_offerings": Ownership(_C, "the event's"),
    "service_workflows": Ownership(_C, "of the services the event offers"),
    "queue_settings": Ownership(_C, "of the services the event offers"),
    "booking_slots": Ownership(_C, "of the services the event offers"),
    "counters": Ownership(_C, "the event's"),
    "counter_services": Ownership(_C, "of the event's counters"),
    "complaint_settings": Ownership(_C, "the event's"),
    "board_texts": Ownership(_C, "the event's"),
    "site_voices": Ownership(_C, "the event's"),
    "voice_clips": Ownership(_C, "the event's"),
    "agreements": Ownership(_L, "not needed at a counter"),
    "agreement_files": Ownership(_L, "not needed at a counter"),
    "booths": Ownership(_L, "the mall's self-service booths"),
    "booth_turns": Ownership(_L, "the mall's self-service booths"),
    # accounts and devices: the centre's
    "users": Ownership(_C, "officers assigned to the event and the event's own accounts"),
    "device_tokens": Ownership(_C, "the event's kiosks, boards and desks"),
    "device_pairings": Ownership(_L, "a pairing waits on the install the device talks to"),
    "staff_officers": Ownership(_C, "officers assigned to the event"),
    "staff_days_off": Ownership(_L, "the mall's rostering input"),
    "staff_assignments": Ownership(_C, "the event's"),
    "staff_plans": Ownership(_L, "the mall's rostering output"),
    "staff_visit_history": Ownership(_L, "the mall's planning input"),
    # bookings are made online at the centre; a check-in at the unit is a ticket (the unit's)
    "bookings": Ownership(_C, "for the event's dates"),
    # the event's front of house: the unit's while the event runs
    "visits": Ownership(_U, "the event's"),
    "tickets": Ownership(_U, "the event's"),
    "ticket_events": Ownership(_U, "of the event's tickets"),
    "ticket_sequences": Ownership(_U, "the event's (numbers are given at the unit)"),
    "counter_states": Ownership(_U, "of the event's counters"),
    "counter_attendance": Ownership(_U, "of the event's counters"),
    "queue_day_closes": Ownership(_U, "the event's days"),
    "survey_responses": Ownership(_U, "the event's"),
    "complaints": Ownership(_U, "the event's", handed_over=True),
    "complaint_events": Ownership(_U, "of the event's complaints", handed_over=True),
    "complaint_attachments": Ownership(_U, "of the event's complaints", handed_over=True),
    "applications": Ownership(_U, "opened at the event", handed_over=True),
    "application_events": Ownership(_U, "of applications opened at the event", handed_over=True),
    "application_documents": Ownership(_U, "of applications opened at the event", handed_over=True),
    "audit_log": Ownership(_U, "entries made at the unit"),
    # never moved
    "application_external_refs": Ownership(_L, "an agency system's references, kept where it called"),
    "survey_tallies": Ownership(_L, "paper tallies are entered at the centre"),
    "skm_publications": Ownership(_L, "published by the centre"),
    "notifications": Ownership(_L, "each install's outbox"),
    "idempotency_records": Ownership(_L, "each install's kept answers"),
    "client_systems": Ownership(_L, "integration is the centre's"),
    "api_keys": Ownership(_L, "integration is the centre's"),
    "webhook_endpoints": Ownership(_L, "integration is the centre's"),
    "webhook_deliveries": Ownership(_L, "each install's outbox"),
    "facility_records": Ownership(_L, "assessed at the centre"),
    "facility_photos": Ownership(_L, "assessed at the centre"),
    "readiness_scores": Ownership(_L, "assessed at the centre"),
    "readiness_instruments": Ownership(_L, "the ministry's, kept at the centre"),
    "daily_rollups": Ownership(_L, "rebuilt from the records wherever they are read"),
    "monthly_rollups": Ownership(_L, "rebuilt from the records wherever they are read"),
    "range_rollups": Ownership(_L, "rebuilt from the records wherever they are read"),
    "unit_enrolment_codes": Ownership(_L, "the centre's one-time codes"),
    "unit_centre_links": Ownership(_L, "the unit's own link to its centre"),
    "unit_changes": Ownership(_L, "the unit's change log, read by each push"),
    "unit_handovers": Ownership(_L, "the unit's marks of records the centre took over"),
    "unit_refusals": Ownership(_L, "the rows the centre refused, shown on the van's status page"),
    "unit_received_records": Ownership(_L, "the centre's register of complaints and applications from a unit"),
    "alembic_version": Ownership(_L, "each install's schema"),
}


# What the van's staff read for a table the unit sends up (Indonesian, English); a test keeps
# every UNIT table named here, so the status page never shows a raw table name.
RECORD_NAMES: dict[str, tuple[str, str]] = {
    "visits": ("Kunjungan", "Visit"),
    "tickets": ("Tiket antrean", "Queue ticket"),
    "ticket_events": ("Riwayat tiket", "Ticket history"),
    "ticket_sequences": ("Nomor urut antrean", "Queue number sequence"),
    "counter_states": ("Keadaan loket", "Counter state"),
    "counter_attendance": ("Kehadiran petugas loket", "Counter attendance"),
    "queue_day_closes": ("Penutupan hari layanan", "Day close"),
    "survey_responses": ("Jawaban survei SKM", "SKM survey answer"),
    "complaints": ("Pengaduan", "Complaint"),
    "complaint_events": ("Riwayat pengaduan", "Complaint history"),
    "complaint_attachments": ("Lampiran pengaduan", "Complaint attachment"),
    "applications": ("Permohonan", "Application"),
    "application_events": ("Riwayat permohonan", "Application history"),
    "application_documents": ("Dokumen permohonan", "Application document"),
    "audit_log": ("Catatan audit", "Audit entry"),
}


def record_name(table: str, lang: str = "id") -> str:
    """What staff call a row of this table (the table's name when it has none)."""
    pair = RECORD_NAMES.get(table)
    return (pair[0] if lang == "id" else pair[1]) if pair else table


def tables_owned_by(owner: Owner) -> list[str]:
    """The tables whose rows this owner makes (in OWNERSHIP's order)."""
    return [name for name, o in OWNERSHIP.items() if o.owner is owner]


def unit_may_change(table: str, handed_over: bool) -> bool:
    """May the unit still send this row up? Not a centre row, and not one the centre took over."""
    entry = OWNERSHIP.get(table)
    if entry is None or entry.owner is not Owner.unit:
        return False
    return not (entry.handed_over and handed_over)


def ownership_table_markdown() -> str:
    """The README's table: table, owner, which rows."""
    lines = ["| Table | Owner | Rows that move |", "|---|---|---|"]
    for name, o in OWNERSHIP.items():
        if name == "alembic_version":
            continue
        owner = {"centre": "centre (down)", "unit": "unit (up)", "local": "not synced"}[o.owner.value]
        if o.handed_over:
            owner += ", centre after hand-over"
        lines.append(f"| `{name}` | {owner} | {o.rows} |")
    return "\n".join(lines)
