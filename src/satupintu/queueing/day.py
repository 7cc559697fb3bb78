"""The end of a site's day: unserved tickets close with a reason (statistics keep them) and
every open counter closes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..catalogue.service import site_row
from ..db import Database, on_commit
from ..errors import Forbidden
from ..scope import Actor, can_manage_site
from ..timeutil import utcnow
from . import policy
from .models import CounterState, Ticket
from .policy import Action, Status
from .schemas import CloseDayResult
from .tickets import apply, record, site_channel


def close_day(db: Database, actor: Actor, site_code: str, day: date, reason: str) -> CloseDayResult:
    """Close every ticket still open on or before `day` and every open counter, in one
    `db.write()` transaction; `day.closed` is published once it committed."""
    with db.write() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        open_statuses = [st for st in Status if (st, Action.close) in policy.TRANSITIONS]
        tickets = s.scalars(select(Ticket).where(Ticket.site_id == site.id, Ticket.local_date <= day,
                                                 Ticket.status.in_(open_statuses))).all()
        for t in tickets:
            apply(t, Action.close)
            t.closed_reason = reason
            record(s, t, "closed", actor.label, actor.user_id, data={"reason": reason})
        states = s.scalars(select(CounterState).where(CounterState.site_id == site.id,
                                                      CounterState.is_open.is_(True))).all()
        for state in states:
            state.is_open, state.current_ticket_id, state.closed_reason, state.priority_streak = False, None, reason, 0
        on_commit(s, site_channel(site.id), {"type": "day.closed", "site": site.code, "date": day.isoformat(),
                                             "at": utcnow().isoformat()})
        return CloseDayResult(closed_tickets=len(tickets), closed_counters=len(states))
