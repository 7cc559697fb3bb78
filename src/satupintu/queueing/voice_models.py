"""A site's board voice: its preference and the voice pack (its own recordings) it uploaded."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class SiteVoice(Base):
    """A site's choice: 'rekaman' (recorded clips, the default) or 'peramban' (the browser's
    Indonesian voice where the board has one); whether its own pack replaces the built-in clips."""

    __tablename__ = "site_voices"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    preference: Mapped[str] = mapped_column(String(20), default="rekaman")
    pack_name: Mapped[str] = mapped_column(String(200), default="")  # the uploaded file's name; '' = built-in
    pack_uploaded_at: Mapped[datetime | None] = mapped_column(default=None)
    pack_uploaded_by: Mapped[str] = mapped_column(String(200), default="")


class VoiceClip(Base):
    """One recording of a site's voice pack, served to its boards instead of the built-in clip."""

    __tablename__ = "voice_clips"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
