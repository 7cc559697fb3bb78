"""UMKM booths of a site: edit a booth, keep its rota when small businesses take turns, and say
who is in each booth today and next. Re-exported by service.py; the rules are in booths.py."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..scope import Actor, can_manage_site, can_read_site
from ..timeutil import to_local, utcnow
from .agreement_schemas import BoothTurnIn, BoothTurnOut
from .booths import Turn, current_and_next, turn_problems
from .models import Booth, BoothTurn, Site
from .schemas import BoothIn, BoothOut

__all__ = [
    "BoothRow",
    "BoothsPage",
    "add_booth_turn",
    "booths_page",
    "booths_today",
    "remove_booth_turn",
    "update_booth",
]


@dataclass(frozen=True)
class BoothRow:
    booth: BoothOut
    rotates: bool  # it has a rota: the booth's own owner is not there every day
    today: Turn | None  # who is in it today (the booth's own owner when it does not rotate)
    next: Turn | None  # the next turn after today
    turns: list[BoothTurnOut]


@dataclass(frozen=True)
class BoothsPage:
    site_code: str
    site_name: str
    today: date
    booths: list[BoothRow]
    can_manage: bool


def _site(s: Session, code: str) -> Site:
    site = s.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound("MPP atau lokasi layanan", "site")
    return site


def _today(site: Site) -> date:
    return to_local(utcnow(), site.timezone).date()


def _booth(s: Session, site: Site, booth_id: uuid.UUID) -> Booth:
    booth = s.scalar(select(Booth).where(Booth.id == booth_id, Booth.site_id == site.id))
    if booth is None:
        raise NotFound("Gerai", "booth")
    return booth


def _booth_out(b: Booth) -> BoothOut:
    return BoothOut(id=b.id, name=b.name, owner_name=b.owner_name, products=b.products, location=b.location)


def _turn_out(t: BoothTurn) -> BoothTurnOut:
    return BoothTurnOut(id=t.id, booth_id=t.booth_id, starts_on=t.starts_on, ends_on=t.ends_on,
                        owner_name=t.owner_name, products=t.products)


def _rows(s: Session, site: Site, day: date) -> list[BoothRow]:
    booths = list(s.scalars(select(Booth).where(Booth.site_id == site.id).order_by(Booth.name)))
    turns: dict[uuid.UUID, list[BoothTurn]] = defaultdict(list)
    for t in s.scalars(select(BoothTurn).join(Booth).where(Booth.site_id == site.id).order_by(BoothTurn.starts_on)):
        turns[t.booth_id].append(t)
    out = []
    for b in booths:
        rota = [Turn(t.starts_on, t.ends_on, t.owner_name, t.products) for t in turns.get(b.id, [])]
        if rota:
            now, later = current_and_next(rota, day)
        else:
            now, later = Turn(day, day, b.owner_name, b.products), None
        out.append(BoothRow(_booth_out(b), bool(rota), now, later, [_turn_out(t) for t in turns.get(b.id, [])]))
    return out


def booths_page(db: Database, actor: Actor, site_code: str, today: date | None = None) -> BoothsPage:
    with db.read() as s:
        site = _site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        day = today or _today(site)
        return BoothsPage(site.code, site.name, day, _rows(s, site, day), can_manage_site(actor, site.ref))


def booths_today(db: Database, site_code: str, today: date | None = None) -> list[BoothOut]:
    """The public view: each booth with whoever is in it today (a rotating booth with nobody
    today is left out)."""
    with db.read() as s:
        site = _site(s, site_code)
        rows = _rows(s, site, today or _today(site))
    return [BoothOut(id=r.booth.id, name=r.booth.name, owner_name=r.today.owner_name,
                     products=r.today.products or r.booth.products, location=r.booth.location)
            for r in rows if r.today is not None]


def update_booth(db: Database, actor: Actor, site_code: str, booth_id: uuid.UUID, data: BoothIn) -> BoothOut:
    with db.write() as s:
        site = _site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        booth = _booth(s, site, booth_id)
        before = audit.snapshot(booth)
        booth.name, booth.owner_name, booth.products, booth.location = (
            data.name, data.owner_name, data.products, data.location)
        s.flush()
        audit.record(s, actor, "booth.update", "booth", booth.id, site.id, before, audit.snapshot(booth))
        return _booth_out(booth)


def add_booth_turn(db: Database, actor: Actor, site_code: str, booth_id: uuid.UUID, data: BoothTurnIn) -> BoothTurnOut:
    """A turn on the booth's rota; refused (beside the date) when it shares a day with another."""
    with db.write() as s:
        site = _site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        booth = _booth(s, site, booth_id)
        # Lock the booth row while the rota is checked, so two turns cannot slip in side by side.
        s.execute(select(Booth.id).where(Booth.id == booth.id).with_for_update())
        existing = [(t.starts_on, t.ends_on)
                    for t in s.scalars(select(BoothTurn).where(BoothTurn.booth_id == booth.id))]
        problems = turn_problems(data.starts_on, data.ends_on, existing)
        if problems:
            raise ValidationFailed([FieldError(name, message, "overlap" if name == "starts_on" else "invalid")
                                    for name, message in problems])
        turn = BoothTurn(booth_id=booth.id, **data.model_dump())
        s.add(turn)
        s.flush()
        audit.record(s, actor, "booth.turn", "booth", booth.id, site.id, None, audit.snapshot(turn))
        return _turn_out(turn)


def remove_booth_turn(db: Database, actor: Actor, site_code: str, booth_id: uuid.UUID, turn_id: uuid.UUID) -> None:
    with db.write() as s:
        site = _site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        booth = _booth(s, site, booth_id)
        turn = s.scalar(select(BoothTurn).where(BoothTurn.id == turn_id, BoothTurn.booth_id == booth.id))
        if turn is None:
            raise NotFound("Giliran gerai", "turn")
        before = audit.snapshot(turn)
        s.delete(turn)
        audit.record(s, actor, "booth.turn_remove", "booth", booth.id, site.id, before, None)
