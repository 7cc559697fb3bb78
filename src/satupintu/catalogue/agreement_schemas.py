"""Shapes of the agreements' files and the booth rota (kept apart from schemas.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from ..schemas import Strict


class AgreementFileOut(BaseModel):
    id: uuid.UUID
    agreement_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class BoothTurnIn(Strict):
    starts_on: date
    ends_on: date
    owner_name: str = Field(min_length=2, max_length=200)
    products: str = Field(default="", max_length=2000)


class BoothTurnOut(BoothTurnIn):
    id: uuid.UUID
    booth_id: uuid.UUID
