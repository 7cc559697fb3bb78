"""Oversight's stored rollups: reading and writing the `daily_rollups`, `monthly_rollups` and
`range_rollups` rows.

Each row keeps beside its headline a glance (`rollup.Glance`): what the national view adds up of
it, written in the same transaction, so it is rebuilt whenever the headline is.

A row holds JSON text (not a JSON column): it is written once and always read whole, and text
keeps one encoding on SQLite and PostgreSQL. Ids inside are UUID strings.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, and_, delete, func, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Database
from ..timeutil import utcnow
from .facts import Id
from .models import DailyRollup, MonthlyRollup, RangeRollup
from .rollup import Glance, Headline, Rollup, RollupKey, Totals, fold, headline, merge_totals

SiteDay = tuple[uuid.UUID, date]
Retaken = tuple[str, "Glance"]  # a kept row's headline, and the glance taken from it now


def _id(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


def encode_rollups(rollups: Iterable[Rollup]) -> str:
    """A day's rollups of one site as JSON, per agency: [agency, the agency's totals, {service:
    totals}, the totals of its rollups without a service (counter time, complaints) or null]."""
    per: dict[Id | None, tuple[list[Rollup], dict[str, Totals], list[Totals]]] = {}
    for r in fold(rollups):
        rs, services, rest = per.setdefault(r.key.agency_id, ([], {}, []))
        rs.append(r)
        if r.key.service_id is None:
            rest.append(r.totals)
        else:
            services[str(r.key.service_id)] = r.totals
    return json.dumps([[None if agency is None else str(agency), merge_totals(r.totals for r in rs).as_dict(),
                        {k: v.as_dict() for k, v in services.items()},
                        merge_totals(rest).as_dict() if rest else None]
                       for agency, (rs, services, rest) in per.items()], separators=(",", ":"))


def decode_rollups(site_id: uuid.UUID, day: date, text: str) -> list[Rollup]:
    """The day's rollups per agency and service (the ones without a service merged per agency)."""
    out = []
    for agency, _, services, rest in json.loads(text):
        agency_id = _id(agency)
        for service, totals in services.items():
            out.append(Rollup(RollupKey(day, site_id, agency_id, uuid.UUID(service)),
                              Totals.from_dict(totals, uuid.UUID)))
        if rest is not None:
            out.append(Rollup(RollupKey(day, site_id, agency_id), Totals.from_dict(rest, uuid.UUID)))
    return out


@dataclass(frozen=True)
class AgencyGlance:
    """An agency's day as a dashboard reads it: its merged totals, and of the service times of
    services with a minute standard how many were measured and how many lasted at most it."""

    totals: Totals
    with_standard: int
    within_standard: int


def agency_glances(s: Session, site_id: uuid.UUID, first: date, last: date, wanted: Collection[date],
                   standard: Mapping[str, int]) -> list[tuple[date, uuid.UUID | None, AgencyGlance]]:
    """Per kept wanted day and agency of a site, the agency's totals and service times within
    standard, decoding no service's totals (a dashboard's per-day and per-agency rows)."""
    out = []
    for day, text in s.execute(select(DailyRollup.day, DailyRollup.rollups)
                               .where(DailyRollup.site_id == site_id, DailyRollup.day >= first,
                                      DailyRollup.day <= last)):
        if day not in wanted:
            continue
        for agency, totals, services, _ in json.loads(text):
            measured = within = 0
            for service, d in services.items():
                minutes = standard.get(service)
                if minutes is not None:
                    dist = d["service"]
                    measured += dist["count"]
                    within += sum(n for b, n in dist["buckets"] if b <= minutes)
            out.append((day, _id(agency), AgencyGlance(Totals.from_dict(totals, uuid.UUID), measured, within)))
    return out


def encode_headline(h: Headline) -> str:
    return json.dumps(h.as_dict(), separators=(",", ":"))


def decode_headline(text: str) -> Headline:
    return Headline.from_dict(json.loads(text), uuid.UUID)


def agency_glance_of(h: Headline, standard: Mapping[str, int]) -> AgencyGlance:
    g = Glance.of(Headline(Totals(), h.service_by_service), standard)
    return AgencyGlance(h.totals, g.with_standard, g.within_standard)


def encode_glance(g: Glance) -> str:
    return json.dumps(g.as_dict(), separators=(",", ":"))


def decode_glance(text: str) -> Glance:
    return Glance.from_dict(json.loads(text), uuid.UUID)


def kept_glance(text: str | None, basis: str) -> Glance | None:
    """The kept glance when it was taken against the site's standards as they are now (`basis`),
    else None: the caller takes one from the kept headline."""
    if text is None:
        return None
    g = decode_glance(text)
    return g if g.basis == basis else None


@dataclass(frozen=True)
class Stamp:
    """What a stored day was built from: the queue day's close (None: no tickets) and its tickets."""

    closed_at: datetime | None
    tickets: int
    built_at: datetime


def stamps(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date) -> dict[SiteDay, Stamp]:
    ids = _id_lookup(site_ids)
    rows = s.execute(select(type_coerce(DailyRollup.site_id, String), DailyRollup.day, DailyRollup.closed_at,
                            DailyRollup.tickets, DailyRollup.built_at)
                     .where(DailyRollup.site_id.in_(site_ids), DailyRollup.day >= first, DailyRollup.day <= last))
    return {(ids[site_id], day): Stamp(closed_at, tickets, built) for site_id, day, closed_at, tickets, built in rows}


def _id_lookup(site_ids: Collection[uuid.UUID]) -> dict[object, uuid.UUID]:
    """Stored site ids as the driver returns them (a UUID, or 32 hex digits on SQLite) -> UUID."""
    out: dict[object, uuid.UUID] = {i: i for i in site_ids}
    out.update({i.hex: i for i in site_ids})
    return out


def day_marks(s: Session, site_ids: Collection[uuid.UUID], first: date,
              last: date) -> dict[uuid.UUID, tuple[int, object]]:
    """Per site: how many days of first..last are kept, and the latest build time (as stored)."""
    ids = _id_lookup(site_ids)
    return {ids[site_id]: (n, built) for site_id, n, built in s.execute(
        select(type_coerce(DailyRollup.site_id, String), func.count(),
               type_coerce(func.max(DailyRollup.built_at), String))
        .where(DailyRollup.site_id.in_(site_ids), DailyRollup.day >= first, DailyRollup.day <= last)
        .group_by(DailyRollup.site_id))}


def read_rollups(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date,
                 wanted: Collection[SiteDay]) -> list[Rollup]:
    """The stored rollups of the wanted (site, day) pairs lying in first..last."""
    out: list[Rollup] = []
    for site_id, day, text in s.execute(
            select(DailyRollup.site_id, DailyRollup.day, DailyRollup.rollups)
            .where(DailyRollup.site_id.in_(site_ids), DailyRollup.day >= first, DailyRollup.day <= last)):
        if (site_id, day) in wanted:
            out += decode_rollups(site_id, day, text)
    return out


def read_headlines(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date,
                   wanted: Collection[SiteDay]) -> dict[SiteDay, str]:
    """The headline JSON of the wanted (site, day) pairs lying in first..last."""
    ids = _id_lookup(site_ids)
    out = {}
    for raw_id, day, text in s.execute(
            select(type_coerce(DailyRollup.site_id, String), DailyRollup.day, DailyRollup.headline)
            .where(DailyRollup.site_id.in_(site_ids), DailyRollup.day >= first, DailyRollup.day <= last)):
        key = (ids[raw_id], day)
        if key in wanted:
            out[key] = text
    return out


def read_glances(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date,
                 wanted: Collection[SiteDay], standard: Mapping[str, int], bases: Mapping[uuid.UUID, str],
                 retaken: dict[SiteDay, Retaken] | None = None) -> dict[SiteDay, Glance]:
    """The glances of the wanted (site, day) pairs lying in first..last: the kept ones, or taken
    from the headline of a day kept without one or against other standards (also put in
    `retaken`, for `keep_glances`)."""
    ids = _id_lookup(site_ids)
    out: dict[SiteDay, Glance] = {}
    missing: set[SiteDay] = set()
    for raw_id, day, text in s.execute(
            select(type_coerce(DailyRollup.site_id, String), DailyRollup.day, DailyRollup.glance)
            .where(DailyRollup.site_id.in_(site_ids), DailyRollup.day >= first, DailyRollup.day <= last)):
        key = (ids[raw_id], day)
        if key in wanted:
            g = kept_glance(text, bases[key[0]])
            if g is None:
                missing.add(key)
            else:
                out[key] = g
    if missing:
        for key, text in read_headlines(s, {k[0] for k in missing}, min(d for _, d in missing),
                                        max(d for _, d in missing), missing).items():
            out[key] = Glance.of(decode_headline(text), standard, bases[key[0]])
            if retaken is not None:
                retaken[key] = (text, out[key])
    return out


def keep_glances(db: Database, days: Mapping[SiteDay, Retaken], months: Mapping[SiteDay, Retaken]) -> None:
    """Replace the glances of kept days and months retaken from their headline (against the
    standards as they are now), only where the row still holds that headline: a row rebuilt
    meanwhile keeps the glance written with it."""
    if not days and not months:
        return
    with db.write() as s:
        for (site_id, day), (text, g) in days.items():
            s.execute(update(DailyRollup).where(DailyRollup.site_id == site_id, DailyRollup.day == day,
                                                DailyRollup.headline == text).values(glance=encode_glance(g)))
        for (site_id, month), (text, g) in months.items():
            s.execute(update(MonthlyRollup).where(MonthlyRollup.site_id == site_id, MonthlyRollup.month == month,
                                                  MonthlyRollup.headline == text).values(glance=encode_glance(g)))


@dataclass(frozen=True)
class Built:
    """A settled day rolled up, ready to be kept."""

    site_id: uuid.UUID
    day: date
    closed_at: datetime | None
    tickets: int
    rollups: list[Rollup]


def _delete_days(s: Session, keys: Collection[SiteDay]) -> None:
    by_site: dict[uuid.UUID, list[date]] = {}
    for site_id, day in keys:
        by_site.setdefault(site_id, []).append(day)
    for site_id, day_list in by_site.items():
        for i in range(0, len(day_list), 500):
            s.execute(delete(DailyRollup).where(DailyRollup.site_id == site_id,
                                                DailyRollup.day.in_(day_list[i:i + 500])))


def keep(db: Database, built: Collection[Built], standard: Mapping[str, int],
         bases: Mapping[uuid.UUID, str]) -> None:
    """Write (or replace) the days in one transaction, each with its glance taken against
    `standard` (service id as text -> minutes; `bases`: per site its fingerprint). Another
    reader keeping the same days at the same moment may win the race: then its rows, built from
    the same facts, stay."""
    if not built:
        return
    now = utcnow()
    rows = []
    for b in built:
        h = headline(b.rollups)
        rows.append(DailyRollup(site_id=b.site_id, day=b.day, closed_at=b.closed_at, tickets=b.tickets,
                                rollups=encode_rollups(b.rollups), headline=encode_headline(h),
                                glance=encode_glance(Glance.of(h, standard, bases[b.site_id])), built_at=now))
    try:
        with db.write() as s:
            _delete_days(s, [(b.site_id, b.day) for b in built])
            s.add_all(rows)
    except IntegrityError:
        pass


def read_months(s: Session, site_ids: Collection[uuid.UUID], months: Collection[date],
                standard: Mapping[str, int], bases: Mapping[uuid.UUID, str],
                retaken: dict[SiteDay, Retaken] | None = None) -> dict[SiteDay, tuple[str, Glance]]:
    """(stamp, glance) of stored months, by (site, first day of the month): the kept glance, or
    one taken from the month's headline when it was kept without one or against other standards
    (also put in `retaken`, for `keep_glances`)."""
    if not months:
        return {}
    ids = _id_lookup(site_ids)
    out: dict[SiteDay, tuple[str, Glance]] = {}
    missing: dict[SiteDay, str] = {}
    for site_id, month, stamp, text in s.execute(
            select(type_coerce(MonthlyRollup.site_id, String), MonthlyRollup.month, MonthlyRollup.stamp,
                   MonthlyRollup.glance)
            .where(MonthlyRollup.site_id.in_(site_ids), MonthlyRollup.month.in_(list(months)))):
        key = (ids[site_id], month)
        g = kept_glance(text, bases[key[0]])
        if g is None:
            missing[key] = stamp
        else:
            out[key] = (stamp, g)
    if missing:
        for site_id, month, text in s.execute(
                select(type_coerce(MonthlyRollup.site_id, String), MonthlyRollup.month, MonthlyRollup.headline)
                .where(MonthlyRollup.site_id.in_({k[0] for k in missing}),
                       MonthlyRollup.month.in_({k[1] for k in missing}))):
            key = (ids[site_id], month)
            if key in missing:
                out[key] = (missing[key], Glance.of(decode_headline(text), standard, bases[key[0]]))
                if retaken is not None:
                    retaken[key] = (text, out[key][1])
    return out


def keep_months(db: Database, months: Mapping[SiteDay, tuple[str, Headline]], standard: Mapping[str, int],
                bases: Mapping[uuid.UUID, str]) -> None:
    """Write (or replace) merged months, each with its glance taken against `standard`."""
    if not months:
        return
    now = utcnow()
    keys = list(months)
    try:
        with db.write() as s:
            for i in range(0, len(keys), 200):
                chunk = keys[i:i + 200]
                s.execute(delete(MonthlyRollup).where(or_(*(and_(MonthlyRollup.site_id == site_id,
                                                                 MonthlyRollup.month == month)
                                                            for site_id, month in chunk))))
            s.add_all([MonthlyRollup(site_id=site_id, month=month, stamp=stamp, headline=encode_headline(h),
                                     glance=encode_glance(Glance.of(h, standard, bases[site_id])), built_at=now)
                       for (site_id, month), (stamp, h) in months.items()])
    except IntegrityError:
        pass


RANGES_PER_SITE = 8  # the kept range glances of a site, the latest built: older ones are dropped


def read_ranges(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date,
                bases: Mapping[uuid.UUID, str]) -> dict[uuid.UUID, tuple[str, Glance]]:
    """(stamp, glance) of the kept glances of first..last, per site, when taken against the
    site's standards as they are now (`bases`); the others are left out (merged again)."""
    if not site_ids:
        return {}
    ids = _id_lookup(site_ids)
    out = {}
    for raw_id, stamp, text in s.execute(
            select(type_coerce(RangeRollup.site_id, String), RangeRollup.stamp, RangeRollup.glance)
            .where(RangeRollup.site_id.in_(site_ids), RangeRollup.first == first, RangeRollup.last == last)):
        site_id = ids[raw_id]
        g = kept_glance(text, bases[site_id])
        if g is not None:
            out[site_id] = (stamp, g)
    return out


def keep_ranges(db: Database, first: date, last: date, ranges: Mapping[uuid.UUID, tuple[str, Glance]]) -> None:
    """Write (or replace) the glances of first..last (per site: its stamp and glance, the glance
    carrying the basis it was counted against), and drop each of those sites' range glances
    beyond the `RANGES_PER_SITE` latest built."""
    if not ranges:
        return
    now = utcnow()
    site_ids = list(ranges)
    try:
        with db.write() as s:
            for i in range(0, len(site_ids), 500):
                s.execute(delete(RangeRollup).where(RangeRollup.site_id.in_(site_ids[i:i + 500]),
                                                    RangeRollup.first == first, RangeRollup.last == last))
            s.add_all([RangeRollup(site_id=site_id, first=first, last=last, stamp=stamp,
                                   glance=encode_glance(g), built_at=now)
                       for site_id, (stamp, g) in ranges.items()])
            s.flush()
            ids = _id_lookup(site_ids)
            per_site: dict[uuid.UUID, list[tuple[object, date, date]]] = {}
            for i in range(0, len(site_ids), 500):
                for raw_id, a, b, built in s.execute(
                        select(type_coerce(RangeRollup.site_id, String), RangeRollup.first, RangeRollup.last,
                               RangeRollup.built_at).where(RangeRollup.site_id.in_(site_ids[i:i + 500]))):
                    per_site.setdefault(ids[raw_id], []).append((built, a, b))
            for site_id, kept in per_site.items():
                kept.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
                for _, a, b in kept[RANGES_PER_SITE:]:
                    s.execute(delete(RangeRollup).where(RangeRollup.site_id == site_id, RangeRollup.first == a,
                                                        RangeRollup.last == b))
    except IntegrityError:
        pass
