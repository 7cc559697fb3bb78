"""The rules the centre checks before it writes a row the unit sent up (pure: no I/O)."""

from __future__ import annotations

from functools import cache

from ..queueing.policy import TRANSITIONS, Status


@cache
def reachable(status: Status) -> frozenset[Status]:
    """Every status a ticket can reach from `status` by legal steps (itself included)."""
    seen = {status}
    todo = [status]
    while todo:
        here = todo.pop()
        for (start, _action), end in TRANSITIONS.items():
            if start is here and end not in seen:
                seen.add(end)
                todo.append(end)
    return frozenset(seen)


def ticket_status_may_move(centre: Status, incoming: Status) -> bool:
    """May the centre's ticket take the unit's status? Only forwards along the state machine:
    a finished ticket stays finished, a called one never goes back to a status it cannot reach."""
    return incoming in reachable(centre)


def handed_over(centre_children: set[str], unit_children: set[str]) -> bool:
    """Has the centre worked this complaint or application? It has history rows (events) of its
    own that the unit never made: from then on the centre owns the record."""
    return bool(centre_children - unit_children)
