"""An officer's "my counter" after login: the counter the roster names for today (asked of
staffing by the page, through rosters.py), else the counter they last opened, else a choice
among the site's counters they may work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..audit import AuditEntry
from ..catalogue import service as catalogue
from ..catalogue.service import CounterOut, SiteOut
from ..db import Database
from ..errors import DomainError
from ..scope import Actor
from . import lookup
from .counters import check_counter


@dataclass
class CounterChoice:
    """The "Pilih loket" page: the counters of the site this officer may work."""

    site: SiteOut
    counters: list[CounterOut]


def usable_counters(db: Database, actor: Actor, site_code: str) -> CounterChoice:
    counters = []
    for c in catalogue.list_counters(db, site_code):
        if c.status.value == "retired":
            continue
        try:
            check_counter(db, actor, site_code, c.number)
        except DomainError:
            continue
        counters.append(c)
    return CounterChoice(catalogue.get_site(db, site_code), counters)


def last_opened_counter(db: Database, actor: Actor, site_code: str) -> int | None:
    """The counter this account opened last at this site (the audit log keeps every opening),
    if they may still work it; None otherwise."""
    if actor.user_id is None:
        return None
    site = lookup.site(db, site_code)
    with db.read() as s:
        counter_ids = s.scalars(select(AuditEntry.entity_id).where(
            AuditEntry.action == "counter.open", AuditEntry.actor_id == actor.user_id, AuditEntry.site_id == site.id)
            .order_by(AuditEntry.at.desc()).limit(20)).all()
        for counter_id in counter_ids:
            counter = catalogue.counter(s, counter_id) if counter_id else None
            if counter is None:
                continue
            try:
                check_counter(db, actor, site_code, counter.number)
            except DomainError:
                continue
            return counter.number
    return None
