"""A site's board voice: its preference (recorded clips, or the browser's Indonesian voice where a
board has one) and its own voice pack, a ZIP of recordings checked for every clip the board says
(voice.REQUIRED_CLIPS), each sniffed as audio; stored per clip and served to that site's boards
instead of the built-in clips. Reverting drops the pack."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import delete, select

from .. import audit
from ..catalogue.service import site_row
from ..db import Database
from ..errors import FieldError, Forbidden, ValidationFailed
from ..scope import Actor, can_manage_site
from ..timeutil import utcnow
from . import voice, voice_build
from .voice_models import SiteVoice, VoiceClip

PREFERENCES = {"rekaman": "Rekaman (disarankan)", "peramban": "Suara peramban bila tersedia"}
MAX_PACK_BYTES = 20 * 2**20  # the ZIP
MAX_CLIP_BYTES = 2 * 2**20  # one recording
AUDIO_EXTENSIONS = {".wav", ".mp3", ".ogg", ".oga"}


@dataclass(frozen=True)
class VoiceConfig:
    """What a board needs to speak: the site's preference, where its clips are, which exist."""

    site: str
    preference: str
    own_pack: bool
    pack_name: str
    uploaded_at: str
    clips: list[str]


def sniff(data: bytes) -> str | None:
    """The audio type of a recording by its first bytes (not its name), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def read_pack(data: bytes) -> dict[str, tuple[str, bytes]]:
    """The clips of a voice pack ZIP by key ('nomor-antrean.wav' -> 'nomor-antrean'); refuses,
    naming them, a pack missing a required clip, a file that is not audio, or one too large."""
    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed([FieldError("pack", message)])

    if len(data) > MAX_PACK_BYTES:
        raise refuse(f"Berkas paket suara paling besar {MAX_PACK_BYTES // 2**20} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("Berkas ini bukan ZIP. Unggah satu berkas .zip berisi rekaman, "
                     "misalnya nomor-antrean.wav.") from None
    clips: dict[str, tuple[str, bytes]] = {}
    bad: list[str] = []
    for info in entries:
        path = PurePosixPath(info.filename)
        if path.name.startswith(".") or "__MACOSX" in path.parts or path.suffix.lower() not in AUDIO_EXTENSIONS:
            continue
        key = path.stem.lower()
        if key not in voice.REQUIRED_CLIPS and not key.startswith("instansi-"):
            continue
        if info.file_size > MAX_CLIP_BYTES:
            bad.append(f"{path.name} lebih dari {MAX_CLIP_BYTES // 2**20} MB")
            continue
        content = archive.read(info)
        kind = sniff(content)
        if kind is None:
            bad.append(f"{path.name} bukan rekaman suara (WAV, MP3 atau OGG)")
            continue
        clips[key] = (kind, content)
    missing = [k for k in voice.REQUIRED_CLIPS if k not in clips]
    problems = []
    if missing:
        problems.append(f"Rekaman yang belum ada ({len(missing)}): " + ", ".join(f"{k}.wav" for k in missing) + ".")
    if bad:
        problems.append("Berkas ditolak: " + "; ".join(bad) + ".")
    if problems:
        raise refuse(" ".join(problems))
    return clips


def _config(site_code: str, row: SiteVoice | None, own: list[str]) -> VoiceConfig:
    pack = bool(row and row.pack_name)
    return VoiceConfig(site=site_code, preference=row.preference if row else "rekaman", own_pack=pack,
                       pack_name=row.pack_name if row else "",
                       uploaded_at=row.pack_uploaded_at.isoformat() if row and row.pack_uploaded_at else "",
                       clips=sorted(own) if pack else sorted(voice_build.built_clips()))


def voice_config(db: Database, site_code: str) -> VoiceConfig:
    """Public (a board asks it): the site's voice, with the clips its boards can play."""
    with db.read() as s:
        site = site_row(s, site_code)
        row = s.get(SiteVoice, site.id)
        own = list(s.scalars(select(VoiceClip.key).where(VoiceClip.site_id == site.id))) \
            if row and row.pack_name else []
        return _config(site.code, row, own)


def voice_page(db: Database, actor: Actor, site_code: str) -> VoiceConfig:
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
    return voice_config(db, site_code)


def own_clip(db: Database, site_code: str, key: str) -> tuple[str, bytes] | None:
    """A recording of the site's own pack, or None (the board then takes the built-in clip)."""
    with db.read() as s:
        site = site_row(s, site_code)
        clip = s.get(VoiceClip, (site.id, key))
        return (clip.media_type, clip.data) if clip else None


def _snapshot(row: SiteVoice) -> dict[str, str]:
    return {"preference": row.preference, "pack_name": row.pack_name}


def set_preference(db: Database, actor: Actor, site_code: str, preference: str) -> None:
    if preference not in PREFERENCES:
        raise ValidationFailed([FieldError("preference", "Pilih rekaman atau suara peramban.")])
    with db.write() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        row = s.get(SiteVoice, site.id) or SiteVoice(site_id=site.id, preference="rekaman", pack_name="",
                                                      pack_uploaded_by="")
        before = _snapshot(row)
        row.preference = preference
        s.add(row)
        s.flush()
        audit.record(s, actor, "voice.preference", "site", site.id, site.id, before, _snapshot(row))


def upload_pack(db: Database, actor: Actor, site_code: str, filename: str, data: bytes) -> int:
    """Replaces the site's pack with this ZIP's clips, in one transaction; returns how many."""
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
    if not data:
        raise ValidationFailed([FieldError("pack", "Pilih berkas ZIP paket suara.")])
    clips = read_pack(data)
    with db.write() as s:
        site = site_row(s, site_code)
        row = s.get(SiteVoice, site.id) or SiteVoice(site_id=site.id, preference="rekaman", pack_name="",
                                                      pack_uploaded_by="")
        before = _snapshot(row)
        s.execute(delete(VoiceClip).where(VoiceClip.site_id == site.id))
        for key, (kind, content) in clips.items():
            s.add(VoiceClip(site_id=site.id, key=key, media_type=kind, size=len(content), data=content))
        row.pack_name = (PurePosixPath(filename).name or "paket-suara.zip")[:200]
        row.pack_uploaded_at = utcnow()
        row.pack_uploaded_by = actor.username
        s.add(row)
        s.flush()
        audit.record(s, actor, "voice.pack_uploaded", "site", site.id, site.id, before, _snapshot(row))
    return len(clips)


def revert_pack(db: Database, actor: Actor, site_code: str) -> None:
    """Back to the built-in voice: the site's own recordings are deleted."""
    with db.write() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        row = s.get(SiteVoice, site.id)
        if row is None or not row.pack_name:
            return
        before = _snapshot(row)
        s.execute(delete(VoiceClip).where(VoiceClip.site_id == site.id))
        row.pack_name, row.pack_uploaded_at = "", None
        s.flush()
        audit.record(s, actor, "voice.pack_reverted", "site", site.id, site.id, before, _snapshot(row))
