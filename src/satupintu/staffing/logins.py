"""Officers' logins: the users page joins the accounts a manager keeps (from accounts.service)
with the officer record of the roster each one is linked to, one person one record: an officer
has at most one account and an account at most one officer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from ..accounts import service as accounts
from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..scope import Actor, can_manage_agency, can_manage_user
from ..timeutil import to_local, utcnow
from .models import StaffAssignment, StaffOfficer


@dataclass(frozen=True)
class OfficerChoice:
    id: uuid.UUID
    name: str
    agency: str


@dataclass(frozen=True)
class AccountsView:
    """The users page: the accounts, the officer linked to each (by account id) and the
    officers of each agency still without a login (by agency code)."""

    users: accounts.UsersView
    linked: dict[uuid.UUID, OfficerChoice]
    free: dict[str, list[OfficerChoice]]


def accounts_page(db: Database, actor: Actor, site_code: str) -> AccountsView:
    view = accounts.users_page(db, actor, site_code)
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        codes = catalogue.agency_codes(s, site.home_id)
        officers = s.scalars(select(StaffOfficer).where(StaffOfficer.site_id == site.id)
                             .order_by(StaffOfficer.name)).all()
        linked: dict[uuid.UUID, OfficerChoice] = {}
        free: dict[str, list[OfficerChoice]] = {}
        for o in officers:
            choice = OfficerChoice(o.id, o.name, codes.get(o.agency_id, ""))
            if o.user_id:
                linked[o.user_id] = choice
            elif o.active and can_manage_agency(actor, site.ref, o.agency_id):
                free.setdefault(choice.agency, []).append(choice)
        return AccountsView(view, linked, free)


def link_login(db: Database, actor: Actor, site_code: str, user_id: uuid.UUID, officer_id: uuid.UUID | None) -> None:
    """Link an account to an officer of the roster (None: unlink it). The officer must be of
    the account's agency at this site and have no login yet; the account no other officer."""
    with db.write() as s:
        site = catalogue.site_row(s, site_code)
        user = accounts.user_by_id(s, user_id)
        if user is None:
            raise NotFound("Akun", "user_id")
        user_site = catalogue.site(s, user.site_id) if user.site_id else None
        if user_site is None or user_site.id not in (site.id, site.parent_site_id) and \
                user_site.parent_site_id != site.id:
            raise NotFound("Akun di MPP ini", "user_id")
        if not can_manage_user(actor, user.role, user_site.ref, user.agency_id):
            raise Forbidden("Anda tidak berwenang mengubah akun ini.")
        current = s.scalar(select(StaffOfficer).where(StaffOfficer.user_id == user.id).with_for_update())
        if officer_id is None:
            if current is not None:
                before = audit.snapshot(current)
                current.user_id = None
                s.flush()
                audit.record(s, actor, "officer.unlink_login", "staff_officer", current.id, site.id, before,
                             audit.snapshot(current))
            return
        officer = s.get(StaffOfficer, officer_id, with_for_update=True)
        if officer is None or officer.site_id != site.id:
            raise ValidationFailed([FieldError("officer", "Pilih petugas dari daftar petugas MPP ini.", "unknown")])
        if not can_manage_agency(actor, site.ref, officer.agency_id):
            raise Forbidden("Anda tidak berwenang mengubah petugas ini.")
        if officer.agency_id != user.agency_id:
            raise ValidationFailed([FieldError("officer", "Petugas harus dari instansi yang sama dengan akun.",
                                               "other_agency")])
        if current is not None and current.id != officer.id:
            raise ValidationFailed([FieldError("officer", f"Akun ini sudah terhubung dengan petugas {current.name}; "
                                                          "lepaskan dulu.", "account_linked")])
        if officer.user_id is not None and officer.user_id != user.id:
            raise ValidationFailed([FieldError("officer", f"Petugas {officer.name} sudah punya akun lain.",
                                               "officer_linked")])
        before = audit.snapshot(officer)
        officer.user_id = user.id
        s.flush()
        audit.record(s, actor, "officer.link_login", "staff_officer", officer.id, site.id, before,
                     audit.snapshot(officer))


def rostered_counter(db: Database, user_id: uuid.UUID, site_code: str) -> int | None:
    """The counter number the roster puts this login's officer at today at this site: the
    assignment running now, else the next one today, else today's last; None when the account
    is linked to no officer or the officer has no assignment here today (a day the officer
    serves at one of the mall's mobile events gives the event's counter at the event only)."""
    with db.read() as s:
        site = catalogue.site_row(s, site_code)
        # Officers belong to the mall; a mobile event borrows them for its days.
        officer = s.scalar(select(StaffOfficer).where(StaffOfficer.user_id == user_id,
                                                      StaffOfficer.site_id == site.home_id))
        if officer is None:
            return None
        now = to_local(utcnow(), site.timezone)
        minute = now.hour * 60 + now.minute
        rows = s.execute(select(StaffAssignment.counter_id, StaffAssignment.start_minute, StaffAssignment.end_minute)
                         .where(StaffAssignment.officer_id == officer.id, StaffAssignment.site_id == site.id,
                                StaffAssignment.on_date == now.date())
                         .order_by(StaffAssignment.start_minute)).all()
        if not rows:
            return None
        pick = next((r for r in rows if r.start_minute <= minute < r.end_minute), None) \
            or next((r for r in rows if r.start_minute > minute), None) or rows[-1]
        counter = catalogue.counter(s, pick.counter_id)
        return counter.number if counter is not None else None
