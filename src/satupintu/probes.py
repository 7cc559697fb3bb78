"""Readiness (/readyz): can this process do its work now? Beside /healthz, which only says that
the process answers (liveness).

- database: reachable, and migrated to the head revision this code needs. Either failing is
  503 "not_ready": a load balancer (HAProxy/nginx, Kubernetes) sends no traffic here.
- replica (only when SATUPINTU_DATABASE_REPLICA_URL is set): the read replica answers. Down is
  200 "degraded": reports and dashboards fail until it is back, everything else works.
- event_bus: Redis reachable (always true for the in-process bus). Down is 200 "degraded", not
  503: every write still commits and every page and API answer is right; only live screens
  fall back to snapshots (events.py: they resynchronise when the bus is back). Taking every
  process out of the balancer because Redis is down would turn a degraded service into none.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import psycopg
import sqlalchemy
import sqlalchemy.exc

from .db import Database
from .events import LocalBus, RedisBus
from .migrate import current_revision, head_revision


@lru_cache(maxsize=4)
def _head(url: str) -> str | None:
    return head_revision(url)  # the code's own migrations: read once per process


def readiness(db: Database, bus: LocalBus) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body): 200 ready or degraded, 503 not ready, naming what is not."""
    checks: dict[str, dict[str, Any]] = {}
    head = _head(db.url)
    try:
        current = current_revision(db.engine)
    except (sqlalchemy.exc.SQLAlchemyError, psycopg.Error, OSError) as exc:
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
        checks["migrations"] = {"ok": False, "current": None, "head": head}
    else:
        checks["database"] = {"ok": True}
        checks["migrations"] = {"ok": current == head, "current": current, "head": head}
    checks["event_bus"] = {"ok": bool(bus.live), "kind": "redis" if isinstance(bus, RedisBus) else "in-process"}
    if db.replica_url is not None:
        try:
            with db.reports().read() as s:
                s.execute(sqlalchemy.text("SELECT 1"))
        except (sqlalchemy.exc.SQLAlchemyError, psycopg.Error, OSError) as exc:
            checks["replica"] = {"ok": False, "error": exc.__class__.__name__}
        else:
            checks["replica"] = {"ok": True}
    not_ready = [name for name in ("database", "migrations") if not checks[name]["ok"]]
    degraded = [name for name in ("replica", "event_bus") if name in checks and not checks[name]["ok"]]
    status = "not_ready" if not_ready else "degraded" if degraded else "ready"
    body = {"status": status, "not_ready": not_ready, "degraded": degraded, "checks": checks}
    return (503 if not_ready else 200), body
