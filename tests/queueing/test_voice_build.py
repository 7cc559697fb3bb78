"""`satupintu voice build` writes a WAV for every clip a board plays, spoken by espeak-ng, and says
clearly when espeak-ng is missing."""

import shutil
import wave

import pytest

from satupintu.queueing import voice, voice_build


def test_the_build_writes_every_required_clip_as_audio(tmp_path):
    """Every required clip and the agency's name are WAV files with sound in them."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    keys = voice_build.build(tmp_path, agencies=["Disdukcapil"])
    assert set(voice.REQUIRED_CLIPS) | {"instansi-disdukcapil"} == set(keys) == voice_build.built_clips(tmp_path)
    for key in keys:
        with wave.open(str(tmp_path / f"{key}.wav")) as w:
            assert w.getnframes() > w.getframerate() // 10  # more than a tenth of a second
    assert (tmp_path / "chime.wav").read_bytes()[8:12] == b"WAVE"


def test_without_espeak_ng_the_build_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(voice_build.EngineMissing, match="espeak-ng tidak terpasang"):
        voice_build.build(tmp_path / "out")
    assert voice_build.built_clips(tmp_path / "out") == set()
