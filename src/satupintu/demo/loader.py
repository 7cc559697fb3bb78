"""Load the demo data through the service layer, as a site manager would enter it.

Idempotent: running it again on a database that already holds the demo site does nothing.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..accounts import service as accounts
from ..catalogue import service as catalogue
from ..catalogue.models import ServiceStatus, Site, SiteKind
from ..catalogue.schemas import AgencyIn, AgreementIn, BoothIn, CounterIn, ServiceIn, SiteIn
from ..db import Database
from ..queueing import service as queue
from ..roles import Role
from ..scope import SYSTEM
from .event_staff import staff_demo_event
from .history import load_history
from .staffing import load_staffing_demo

DEMO_FILE = Path(__file__).resolve().parent / "lahat.json"
# Ticket letters per agency: services of one agency share its numbering (A-001, A-002 ...).
QUEUE_LETTERS = {"DUKCAPIL": "A", "DPMPTSP": "B", "DINKES": "C", "DINSOS": "D", "DPAD": "E", "BSB": "F",
                 "SAMSAT": "G", "BPJS": "H"}
BOOKABLE = {"DUKCAPIL", "DPMPTSP"}  # services that take online bookings, 4 per 30-minute slot


def demo_data() -> dict[str, Any]:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def load_demo(db: Database, password: str | None = None, history: bool = True) -> str | None:
    """Create the demo site; returns the demo users' password, or None if it was already there.
    With `history`, also its past weeks of served visits, SKM answers and complaints (history.py);
    tests that count from an empty past load it without."""
    data = demo_data()
    site_code = data["site"]["code"]
    with db.read() as s:
        if s.scalar(select(Site.id).where(Site.code == site_code)):
            return None
    site_in = dict(data["site"], kind=SiteKind.permanent)
    catalogue.create_site(db, SYSTEM, SiteIn.model_validate(site_in))
    for agency in data["agencies"]:
        fields = {k: v for k, v in agency.items() if k != "agreements"}
        catalogue.create_agency(db, SYSTEM, site_code, AgencyIn.model_validate(fields))
        for agreement in agency.get("agreements", []):
            catalogue.add_agreement(db, SYSTEM, site_code, agency["code"], AgreementIn.model_validate(agreement))
    for svc in data["services"]:
        catalogue.create_service(db, SYSTEM, site_code, ServiceIn.model_validate(svc), ServiceStatus.published)
    for svc in data["services"]:
        quota = 4 if svc["agency"] in BOOKABLE else 0
        queue.configure_service_queue(db, SYSTEM, site_code, svc["code"], QUEUE_LETTERS[svc["agency"]],
                                      slot_minutes=30, slot_quota=quota)
    for counter in data["counters"]:
        catalogue.create_counter(db, SYSTEM, site_code, CounterIn.model_validate(counter))
    for booth in data.get("booths", []):
        catalogue.create_booth(db, SYSTEM, site_code, BoothIn.model_validate(booth))
    event = data.get("mobile_event")
    if event:
        fields = {k: v for k, v in event.items() if k not in ("services", "counters")}
        fields.update(kind=SiteKind.mobile, parent_site=site_code,
                      starts_on=date.fromisoformat(event["starts_on"]), ends_on=date.fromisoformat(event["ends_on"]))
        catalogue.create_event(db, SYSTEM, SiteIn.model_validate(fields))
        catalogue.set_event_services(db, SYSTEM, event["code"], event["services"])
        # The event's own desks: a service no counter of the event serves is not offered there.
        for counter in event.get("counters", []):
            catalogue.create_counter(db, SYSTEM, event["code"], CounterIn.model_validate(counter))
    password = password or secrets.token_urlsafe(12)
    for user in data.get("users", []):
        role = Role(user["role"])
        accounts.create_user(db, SYSTEM, accounts.UserIn(
            username=user["username"], full_name=user["full_name"], password=password, role=role,
            site=None if role is Role.national_overseer else site_code, agency=user.get("agency")))
    load_staffing_demo(db, site_code)
    if event:
        staff_demo_event(db, site_code, event["code"])
    if history:
        load_history(db, site_code)
    return password
