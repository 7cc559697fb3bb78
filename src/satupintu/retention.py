"""`satupintu retention`: old records leave the database, as the settings say, never one a
report still needs.

What goes (each kind after its own number of days, 0 keeping it for ever):
- ticket events (every step of a ticket) of local days before the site's *horizon*: the first day
  the oversight figures may still read raw (today less the days kept, or the first unsettled day
  before it). The settled days before it are rolled up and kept first (oversight's
  `settled_horizons`), so every figure of those days comes from the kept rollups; the tickets
  themselves stay (number, times, status: the day's counts and a citizen's lookup);
- audit entries: every entry older than the audit days, except a counter's open and close
  entries (the counter-time figures read them), which also wait for their site's horizon;
- settled webhook deliveries older than SATUPINTU_WEBHOOK_KEEP_DAYS.

Deletion runs in batches (SATUPINTU_RETENTION_BATCH_SIZE rows per short transaction), so the app
keeps serving. A real run is written to the audit log with its counts; a dry run counts and
changes nothing (not even the rollups it would keep first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import audit
from .config import Settings
from .db import Database
from .integration import webhook_service
from .oversight import service as oversight
from .oversight.periods import day_bounds, local_day
from .queueing import service as queue
from .scope import SYSTEM
from .timeutil import utcnow


@dataclass
class Outcome:
    """What a run removed (or, dry, would remove)."""

    dry_run: bool
    ticket_events: int = 0
    audit_entries: int = 0
    webhook_deliveries: int = 0
    rollups_kept: int = 0  # settled days rolled up first
    horizons: dict[str, str] = field(default_factory=dict)  # site code: first day kept raw

    def as_dict(self) -> dict[str, object]:
        return {"dry_run": self.dry_run, "ticket_events": self.ticket_events, "audit_entries": self.audit_entries,
                "webhook_deliveries": self.webhook_deliveries, "rollups_kept": self.rollups_kept,
                "horizons": self.horizons}


def run(db: Database, settings: Settings, *, dry_run: bool = False, as_of: datetime | None = None) -> Outcome:
    """Apply the retention settings once (see the module's docstring)."""
    moment = as_of or utcnow()
    out = Outcome(dry_run)
    batch = settings.retention_batch_size
    event_days, audit_days = settings.retention_ticket_event_days, settings.retention_audit_days
    kept_days = [d for d in (event_days, audit_days) if d > 0]
    if kept_days:
        # one horizon for both: that of the fewer days kept; the other's cutoff clamps it below
        horizons = oversight.settled_horizons(db, min(kept_days), keep=not dry_run, as_of=moment)
        out.rollups_kept = sum(h.to_keep for h in horizons)
        for h in horizons:
            out.horizons[h.code] = h.day.isoformat()
            if event_days > 0:
                day = min(h.day, local_day(moment, h.timezone) - timedelta(days=event_days))
                out.ticket_events += (queue.count_ticket_events_before(db, h.site_id, day) if dry_run
                                      else queue.forget_ticket_events_before(db, h.site_id, day, batch))
            if audit_days > 0:
                day = min(h.day, local_day(moment, h.timezone) - timedelta(days=audit_days))
                before = day_bounds(day, h.timezone)[0]
                out.audit_entries += (audit.count_before(db, before, h.site_id) if dry_run
                                      else audit.forget_before(db, before, batch, h.site_id))
        if audit_days > 0:
            before = moment - timedelta(days=audit_days)
            out.audit_entries += (audit.count_before(db, before) if dry_run
                                  else audit.forget_before(db, before, batch))
    keep = settings.webhook_keep_days
    out.webhook_deliveries = (webhook_service.count_old(db, moment, keep) if dry_run
                              else webhook_service.forget_old(db, moment, keep, batch))
    if not dry_run:
        with db.write() as s:
            audit.record(s, SYSTEM, "retention.run", "retention", None, None, None,
                         {**out.as_dict(), "ticket_event_days": event_days, "audit_days": audit_days,
                          "webhook_keep_days": keep, "at": moment.isoformat()})
    return out
