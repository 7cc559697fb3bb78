"""The shipped deployment files: deploy/satupintu.env.example and deploy/systemd/.

An IT officer copies the environment template and the units as they are: every setting the app
reads is in the template (with the default shown), the template's values are ones the app
accepts, every unit passes `systemd-analyze verify` (or, without systemd, parses), and every
`satupintu` command a unit runs exists.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from satupintu.config import Settings

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "satupintu.env.example"
UNITS = sorted((ROOT / "deploy" / "systemd").glob("satupintu*.*"))
INSTALLED = "/opt/satupintu/.venv/bin/satupintu"
LINE = re.compile(r"^#?(SATUPINTU_[A-Z0-9_]+)=(.*)$")


def template_lines() -> dict[str, tuple[bool, str]]:
    """SATUPINTU_* names in the template: (set, value)."""
    out = {}
    for line in TEMPLATE.read_text().splitlines():
        m = LINE.match(line)
        if m:
            out[m.group(1)] = (not line.startswith("#"), m.group(2))
    return out


def test_every_setting_is_in_the_environment_template():
    """Every SATUPINTU_* setting of config.py has its line in the template, and the template names
    none the app does not read (a typo there would be silently ignored)."""
    names = {f"SATUPINTU_{n.upper()}" for n in Settings.model_fields}
    listed = template_lines()
    assert sorted(names - set(listed)) == []
    assert sorted(set(listed) - names) == []


def test_the_template_values_are_accepted(monkeypatch):
    """The template itself, comments and all, loads as the app's settings file (the guide links
    it as the working folder's .env for the command line; systemd reads it as EnvironmentFile):
    every value it sets, placeholders included, is accepted, and the commented lines stay off."""
    for name in list(os.environ):
        if name.startswith("SATUPINTU_"):
            monkeypatch.delenv(name)
    settings = Settings(_env_file=TEMPLATE)  # type: ignore[call-arg]
    assert settings.smtp_from == "SatuPintu <antrean@example.go.id>"
    assert settings.database_replica_url is None and settings.hot_path_connections == 8
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.database_prepare_threshold is None  # behind PgBouncer's transaction mode
    assert settings.secret_key.startswith("REPLACE-")
    assert settings.redis_url and settings.secure_cookies


def _installed_copies(tmp_path: Path) -> list[Path]:
    """The units with the installed program's path pointing at this checkout's, so that
    systemd-analyze finds every executable."""
    here = str(Path(sys.executable).parent / "satupintu")
    out = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace(INSTALLED, here))
        out.append(copy)
    return out


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """`systemd-analyze verify` finds nothing to say about any shipped unit (no unknown key, no
    missing program, every timer's service present)."""
    if shutil.which("systemd-analyze") is None:
        for unit in UNITS:
            parser = configparser.ConfigParser(strict=False, interpolation=None)
            parser.read_string(unit.read_text())
            assert parser.sections(), unit
        pytest.skip("systemd-analyze not installed: the units were only parsed")
    copies = _installed_copies(tmp_path)
    done = subprocess.run(["systemd-analyze", "verify", *[str(c) for c in copies]], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    timers = {u.stem for u in UNITS if u.suffix == ".timer"}
    assert timers <= {u.stem for u in UNITS if u.suffix == ".service"}
    assert {"satupintu-backup", "satupintu-retention"} <= timers


def test_every_command_a_unit_runs_exists():
    """Each `satupintu ...` command line in a unit names a command the CLI has (its --help
    answers), so a timer never fails on a misspelt command."""
    commands = set()
    for unit in UNITS:
        for cmd in re.findall(re.escape(INSTALLED) + r" ([a-z-]+)", unit.read_text()):
            commands.add(cmd)
    assert {"serve", "check", "notify", "escalate", "backup", "retention"} <= commands
    for cmd in sorted(commands):
        done = subprocess.run([sys.executable, "-m", "satupintu", cmd, "--help"], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, (cmd, done.stderr)


def _command(unit: str, key: str) -> str:
    """A unit's command line as systemd runs it: %% and $$ unescaped, ${VAR} left to the shell."""
    [line] = [ln for ln in (ROOT / "deploy" / "systemd" / unit).read_text().splitlines() if ln.startswith(key + "=")]
    return line.split("=", 1)[1].replace("%%", "%").replace("$$", "$")


def test_the_backup_unit_writes_a_dated_backup_and_keeps_the_recent_ones(tmp_path, empty_db):
    """The nightly backup's own command lines, run as systemd would (paths moved to a folder of
    the test's), on both databases: a backup named by the time appears, and the clean-up afterwards
    removes only backups older than the days kept."""
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / "satupintu-20200101T000000Z.backup"
    old.write_bytes(b"old")
    os.utime(old, (0, 0))
    here = str(Path(sys.executable).parent / "satupintu")
    env = dict(os.environ, SATUPINTU_DATABASE_URL=empty_db.url, SATUPINTU_SECRET_KEY="uji-unit",
               SATUPINTU_BACKUP_KEEP_DAYS="14")
    start = _command("satupintu-backup.service", "ExecStart").replace(INSTALLED, here)
    start = start.replace("/var/backups/satupintu", str(folder)).removeprefix("/bin/sh -c ")
    done = subprocess.run(["/bin/sh", "-c", start.strip("'")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    made = [p for p in folder.iterdir() if p != old]
    assert len(made) == 1 and re.fullmatch(r"satupintu-\d{8}T\d{6}Z\.backup", made[0].name)
    assert made[0].stat().st_size > 0
    post = _command("satupintu-backup.service", "ExecStartPost").replace("/var/backups/satupintu", str(folder))
    post = post.replace("${SATUPINTU_BACKUP_KEEP_DAYS}", env["SATUPINTU_BACKUP_KEEP_DAYS"])
    subprocess.run(post.replace("'", "").split(), check=True, timeout=60)
    assert sorted(folder.iterdir()) == made
