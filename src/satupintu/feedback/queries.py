"""Named read queries over the feedback records, for other capabilities (oversight's measures).

Each takes the caller's session and returns plain tuples, never a model row, so a reader gets
the survey answers and the complaints' handling times without joining the feedback tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .complaints import Step
from .models import Complaint, ComplaintEvent, SurveyResponse, SurveyTally

__all__ = ["ComplaintRecord", "SurveyRecord", "TallyRecord", "complaints_between", "surveys_between",
           "tallies_between"]

TRIAGE_STEPS = (Step.verify.value, Step.reject.value, Step.not_authority.value)


class SurveyRecord(NamedTuple):
    ticket_id: uuid.UUID
    site_id: uuid.UUID
    service_id: uuid.UUID
    submitted_at: datetime
    local_date: date
    regulation: str
    answers: Mapping[str, int]


def surveys_between(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date) -> list[SurveyRecord]:
    """SKM answers submitted on local days first..last at these sites."""
    rows = s.execute(select(SurveyResponse.ticket_id, SurveyResponse.site_id, SurveyResponse.service_id,
                            SurveyResponse.submitted_at, SurveyResponse.local_date, SurveyResponse.regulation,
                            SurveyResponse.answers)
                     .where(SurveyResponse.site_id.in_(site_ids), SurveyResponse.local_date >= first,
                            SurveyResponse.local_date <= last))
    return [SurveyRecord(t, site, svc, at, day, reg, {k: int(v) for k, v in answers.items()})
            for t, site, svc, at, day, reg, answers in rows]


class TallyRecord(NamedTuple):
    site_id: uuid.UUID
    service_id: uuid.UUID
    starts_on: date
    ends_on: date
    regulation: str
    respondents: int
    tally: Mapping[str, Mapping[int, int]]


def _tally(raw: Mapping[str, Any]) -> dict[str, dict[int, int]]:
    return {unsur: {int(value): int(n) for value, n in counts.items()} for unsur, counts in raw.items()}


def tallies_between(s: Session, site_ids: Collection[uuid.UUID], first: date, last: date) -> list[TallyRecord]:
    """Paper survey tallies lying wholly inside first..last at these sites."""
    rows = s.execute(select(SurveyTally.site_id, SurveyTally.service_id, SurveyTally.starts_on, SurveyTally.ends_on,
                            SurveyTally.regulation, SurveyTally.respondents, SurveyTally.tally)
                     .where(SurveyTally.site_id.in_(site_ids), SurveyTally.starts_on >= first,
                            SurveyTally.ends_on <= last))
    return [TallyRecord(site, svc, a, b, reg, n, _tally(raw)) for site, svc, a, b, reg, n, raw in rows]


class ComplaintRecord(NamedTuple):
    id: uuid.UUID
    site_id: uuid.UUID
    state: str
    received_at: datetime
    verify_due_at: datetime
    agency_id: uuid.UUID | None
    service_id: uuid.UUID | None
    triaged_at: datetime | None  # the first verify / reject / not-our-authority step
    due_at: datetime | None
    answered_at: datetime | None
    kind: str  # pengaduan | aspirasi | permintaan_informasi


def complaints_between(s: Session, site_ids: Collection[uuid.UUID], start: datetime,
                       end: datetime) -> list[ComplaintRecord]:
    """Complaints received at these sites in [start, end) (UTC), with when each was first triaged."""
    triaged = (select(ComplaintEvent.complaint_id, func.min(ComplaintEvent.at).label("at"))
               .where(ComplaintEvent.step.in_(TRIAGE_STEPS)).group_by(ComplaintEvent.complaint_id).subquery())
    rows = s.execute(select(Complaint.id, Complaint.site_id, Complaint.state, Complaint.received_at,
                            Complaint.verify_due_at, Complaint.agency_id, Complaint.service_id, triaged.c.at,
                            Complaint.due_at, Complaint.answered_at, Complaint.kind)
                     .outerjoin(triaged, triaged.c.complaint_id == Complaint.id)
                     .where(Complaint.site_id.in_(site_ids), Complaint.received_at >= start,
                            Complaint.received_at < end))
    return [ComplaintRecord(*row) for row in rows]
