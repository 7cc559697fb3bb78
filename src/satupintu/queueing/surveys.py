"""What the front-of-house pages ask of the feedback capability, handed in once at start-up.

Feedback reads the queue (a survey belongs to a served ticket), so the queue must not import
feedback: the printed ticket, the citizen's ticket page and the kiosk's "rate our service" reach
the survey codes through this protocol, which app.py fills with `feedback.service`.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from fastapi import FastAPI, Request

from ..db import Database


class SurveyCodes(Protocol):
    """The survey code a ticket carries, as the feedback capability issues and checks it."""

    def display_survey_code(self, code: str) -> str:
        """The code grouped for reading on paper."""

    def normalise_survey_code(self, raw: str) -> str | None:
        """What was typed or scanned, as a code; None when it cannot be one."""

    def holds_survey_code(self, visit_id: uuid.UUID, raw: str | None) -> bool:
        """Whether what was typed or scanned is the visit's survey code."""

    def printable_survey_code(self, db: Database, ticket_id: uuid.UUID, issuer_label: str,
                              site_id: uuid.UUID | None = None) -> str | None:
        """The code to print on a ticket, for the kiosk that issued it; None for anyone else."""

    def ticket_for_survey_code(self, db: Database, site_code: str, raw: str) -> tuple[uuid.UUID, str]:
        """The ticket a survey code at this site leads to, and the code as normalised."""


def install(app: FastAPI, codes: SurveyCodes) -> None:
    app.state.survey_codes = codes


def of(request: Request) -> SurveyCodes:
    codes: SurveyCodes = request.app.state.survey_codes
    return codes
