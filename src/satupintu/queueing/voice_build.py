"""Builds the board's recorded Indonesian voice at install time: one WAV per clip of
voice.REQUIRED_CLIPS (and one per configured agency name), spoken by the offline engine
espeak-ng (`-v id`); the chime is a two-tone sound synthesised here with the wave module.
Written to web/static/voice/id/ with a manifest.json of the clips present."""

from __future__ import annotations

import array
import json
import math
import shutil
import struct
import subprocess
import wave
from collections.abc import Iterable
from pathlib import Path

from . import voice

VOICE_DIR = Path(__file__).resolve().parent.parent / "web" / "static" / "voice" / "id"
RATE = 22050


class EngineMissing(RuntimeError):
    """espeak-ng is not installed: the board falls back to the browser's voice (or warns)."""


def _chime(path: Path) -> None:
    frames = bytearray()
    for freq, seconds in ((660, 0.35), (880, 0.5)):
        n = int(RATE * seconds)
        for i in range(n):
            fade = min(1.0, i / (RATE * 0.01), (n - i) / (RATE * 0.15))
            frames += struct.pack("<h", int(0.35 * 32767 * fade * math.sin(2 * math.pi * freq * i / RATE)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))


def build(out_dir: Path = VOICE_DIR, agencies: Iterable[str] = ()) -> list[str]:
    """Writes every clip; returns the keys written. Raises EngineMissing without espeak-ng."""
    engine = shutil.which("espeak-ng")
    if engine is None:
        raise EngineMissing("espeak-ng tidak terpasang: rekaman suara papan tidak dapat dibuat. "
                            "Pasang dengan `apt-get install espeak-ng`, lalu jalankan `satupintu voice build` lagi. "
                            "Sampai itu, papan memakai suara peramban bila ada suara bahasa Indonesia, "
                            "atau menampilkan peringatan 'Suara mati'.")
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = dict(voice.CLIP_TEXT)
    for name in agencies:
        key = voice.agency_clip(name)
        if key:
            texts[key] = name
    _chime(out_dir / "chime.wav")
    for key, text in texts.items():
        path = out_dir / f"{key}.wav"
        subprocess.run([engine, "-v", "id", "-s", "150", "-w", str(path), text],
                       check=True, capture_output=True, timeout=30)
        trim_silence(path)
    keys = ["chime", *texts]
    (out_dir / "manifest.json").write_text(json.dumps({"clips": sorted(keys), "format": "wav"}), encoding="utf-8")
    return keys


def trim_silence(path: Path, threshold: int = 300, keep_ms: int = 40) -> None:
    """Cut the near-silent ends espeak-ng puts around every word (a call is some twenty clips in a
    row: a fifth of a second of silence at each end would add seconds), keeping `keep_ms` of air."""
    with wave.open(str(path), "rb") as r:
        params = r.getparams()
        frames = r.readframes(r.getnframes())
    if params.sampwidth != 2 or params.nchannels != 1:
        return  # espeak-ng writes 16-bit mono; anything else is left as it is
    samples = array.array("h", frames)
    loud = [i for i, v in enumerate(samples) if abs(v) > threshold]
    if not loud:
        return
    pad = params.framerate * keep_ms // 1000
    start, end = max(0, loud[0] - pad), min(len(samples), loud[-1] + pad)
    with wave.open(str(path), "wb") as w:
        w.setparams(params)
        w.writeframes(samples[start:end].tobytes())


def built_clips(out_dir: Path = VOICE_DIR) -> set[str]:
    """The keys of the clips the install built ({} when never built)."""
    try:
        return set(json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))["clips"])
    except (OSError, ValueError, KeyError):
        return set()
