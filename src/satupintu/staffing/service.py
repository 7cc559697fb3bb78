"""Staffing's public face: officers, the roster (saved, checked, generated), the counters plan,
the arrival forecast and the capacity recommendation. Routes and other packages import this
module only; the work is done in the modules by subject below it.

Every use case takes the acting user and checks the scope there: site managers keep the roster
and the plan of their site; agency admins keep their agency's officers; site staff and national
overseers read. The pure rules live in `roster`, `solver`, `forecast`, `capacity`; the use-case
modules turn rows into their inputs and their results into the shapes of `schemas`:

- `officers`: who can be rostered, with their services, limits and days off;
- `rostering`: the saved roster, its check, and changes to it; `generation`: the CP-SAT roster;
- `planning`: the counters plan; `demand`: forecast, service times and the recommendation;
- `inputs`: rows turned into the roster types; `common`: what these share.

Other capabilities are read through their named queries (`catalogue.service`,
`queueing.service`); user accounts are still read from `accounts.models` in `officers`, as
accounts offers no named query for them yet.
"""

from __future__ import annotations

from .attendance import AttendanceRow, attendance_day
from .common import parse_hhmm, site_today, week_start
from .demand import apply_recommendation, capacity, forecast
from .event_roster import EventOfficer, EventRoster, assign_at_event, event_roster
from .generation import generate
from .logins import AccountsView, OfficerChoice, accounts_page, link_login, rostered_counter
from .officers import create_officer, deactivate_officer, list_officers, update_officer
from .planning import get_plan, set_plan
from .rostering import add_assignment, check, delete_assignment, list_assignments, replace_assignments
from .schemas import (
    MAX_DAYS,
    AssignmentIn,
    AssignmentOut,
    CapacityAgency,
    CapacityHour,
    CapacityOut,
    FindingOut,
    ForecastOut,
    ForecastRow,
    GenerateIn,
    GenerateOut,
    OfficerIn,
    OfficerOut,
    OpeningOut,
    PlanIn,
    PlanOut,
    PlanRow,
    ReasonOut,
    RosterCheckOut,
)
from .timefmt import WEEKDAY_NAMES

__all__ = [
    "AttendanceRow",
    "attendance_day",
    # shapes
    "MAX_DAYS",
    "AssignmentIn",
    "AssignmentOut",
    "CapacityAgency",
    "CapacityHour",
    "CapacityOut",
    "FindingOut",
    "ForecastOut",
    "ForecastRow",
    "GenerateIn",
    "GenerateOut",
    "OfficerIn",
    "OfficerOut",
    "OpeningOut",
    "PlanIn",
    "PlanOut",
    "PlanRow",
    "ReasonOut",
    "RosterCheckOut",
    "WEEKDAY_NAMES",
    # days and clock input
    "parse_hhmm",
    "site_today",
    "week_start",
    # officers and their logins
    "AccountsView",
    "OfficerChoice",
    "accounts_page",
    "link_login",
    "rostered_counter",
    "create_officer",
    "deactivate_officer",
    "list_officers",
    "update_officer",
    # officers at a mobile service event
    "EventOfficer",
    "EventRoster",
    "assign_at_event",
    "event_roster",
    # the roster
    "add_assignment",
    "check",
    "delete_assignment",
    "generate",
    "list_assignments",
    "replace_assignments",
    # the counters plan, forecast and capacity
    "apply_recommendation",
    "capacity",
    "forecast",
    "get_plan",
    "set_plan",
]
