"""Named read queries over applications, for other capabilities (oversight's measures).

Plain tuples of ids and times: a reader learns when an application came in, when it was due and
when it was finished, never the applicant.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from .models import Application

__all__ = ["ApplicationRecord", "applications_between"]


class ApplicationRecord(NamedTuple):
    id: uuid.UUID
    site_id: uuid.UUID
    agency_id: uuid.UUID
    service_id: uuid.UUID
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None


def applications_between(s: Session, site_ids: Collection[uuid.UUID], start: datetime,
                         end: datetime) -> list[ApplicationRecord]:
    """Applications at these sites received or finished in [start, end) (UTC)."""
    rows = s.execute(select(Application.id, Application.site_id, Application.agency_id, Application.service_id,
                            Application.received_at, Application.due_at, Application.finished_at)
                     .where(Application.site_id.in_(site_ids),
                            or_(and_(Application.received_at >= start, Application.received_at < end),
                                and_(Application.finished_at >= start, Application.finished_at < end))))
    return [ApplicationRecord(*row) for row in rows]
