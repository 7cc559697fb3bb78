"""Debian's PgBouncer started from the shipped deploy/pgbouncer/pgbouncer.ini, for tests and CI.

One place rewrites the shipped ini: its address, port, files and authentication change (trust,
one user), every pool setting stays as shipped unless the caller names it. Used by
tests/test_pgbouncer.py (its own PgBouncer, shipped sizes), tests/multihost.py (one per
topology) and .ci/pgbouncer-start (the one the whole suite's PostgreSQL tests run through,
SATUPINTU_TEST_PGBOUNCER; see SUITE_SIZING).

    python -m tests.pgbouncer start [FOLDER]   # in the background; prints host:port (pid: FOLDER/pgbouncer.pid)
"""

from __future__ import annotations

import configparser
import getpass
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SHIPPED_INI = Path(__file__).resolve().parents[1] / "deploy" / "pgbouncer" / "pgbouncer.ini"
EVERY_DATABASE = {"*": "host=127.0.0.1 port=5432"}  # every test database by its own name

# The whole suite makes hundreds of databases (one per module or per test) on a PostgreSQL shared
# with other work, and PgBouncer pools per database: with the shipped sizes (min_pool_size 5,
# idle server connections kept 600 s) the databases of one module alone would hold more server
# connections than the server's max_connections (100 here). So the suite's PgBouncer keeps no
# idle minimum, lets idle server connections go after 10 s, and caps the test user's server
# connections over all databases (PgBouncer then closes another database's idle one to make room).
# Pool mode, timeouts and everything else stay as shipped.
SUITE_SIZING = {"min_pool_size": "0", "server_idle_timeout": "10", "max_user_connections": "40"}


class StartFailed(RuntimeError):
    pass


def read_ini(path: Path = SHIPPED_INI) -> configparser.ConfigParser:
    ini = configparser.ConfigParser(interpolation=None, delimiters=("=",), comment_prefixes=(";", "#"))
    ini.optionxform = str  # type: ignore[assignment,method-assign]  # keep names as written
    ini.read(path)
    return ini


def default_user() -> str:
    """The PostgreSQL user the tests connect as (SATUPINTU_TEST_POSTGRES_URL's, else this OS user)."""
    admin = os.environ.get("SATUPINTU_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
    return make_url(admin).username or getpass.getuser()


def write_config(folder: Path, *, listen_addr: str, port: int, databases: dict[str, str], user: str,
                 overrides: dict[str, str] | None = None) -> Path:
    """The shipped ini with only its address, port, files and authentication (trust for `user`)
    changed, plus `overrides`; written into `folder` (made readable for PgBouncer's user)."""
    ini = read_ini()
    ini["databases"] = databases
    ini["pgbouncer"].update({
        "listen_addr": listen_addr, "listen_port": str(port), "unix_socket_dir": "",
        "auth_type": "trust", "auth_file": str(folder / "userlist.txt"),
        "logfile": str(folder / "pgbouncer.log"), "pidfile": str(folder / "pgbouncer.pid"),
        "admin_users": user, "stats_users": user,
        **(overrides or {}),
    })
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    path = folder / "pgbouncer.ini"
    with open(path, "w") as fh:
        ini.write(fh)
    if os.geteuid() == 0:  # PgBouncer refuses to run as root: it becomes postgres, who must own its folder
        os.chown(folder, pwd.getpwnam("postgres").pw_uid, -1)
    for f in folder.iterdir():
        f.chmod(0o644)
    return path


def command(ini_path: Path) -> list[str]:
    return [PGBOUNCER, *(["-u", "postgres"] if os.geteuid() == 0 else []), str(ini_path)]


def wait_until_answers(host: str, port: int, proc: subprocess.Popen[bytes], log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr and proc.poll() is not None else ""
                text = log.read_text(errors="replace") if log.exists() else ""
                raise StartFailed(f"PgBouncer did not start on {host}:{port}: {err}\n{text}") from None
            time.sleep(0.1)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class Bouncer:
    """A running PgBouncer on 127.0.0.1 and its folder (ini, userlist, log, pidfile)."""

    def __init__(self, port: int, folder: Path, proc: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.folder = folder
        self.proc = proc

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url_for(self, direct_url: str) -> str:
        """The same database and user, through PgBouncer."""
        return make_url(direct_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def show(self, what: str) -> list[dict[str, str]]:
        """A table of PgBouncer's admin console (simple queries only: psql)."""
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", default_user(), "-d", "pgbouncer",
                              "-A", "-F", "\t", "-P", "footer=off", "-c", f"SHOW {what}"], capture_output=True,
                             text=True, timeout=30, check=True).stdout.splitlines()
        header = out[0].split("\t")
        return [dict(zip(header, line.split("\t"), strict=False)) for line in out[1:]]

    def log(self) -> str:
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, remove: bool = True) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def start(*, folder: Path | None = None, port: int | None = None, databases: dict[str, str] | None = None,
          overrides: dict[str, str] | None = None, detach: bool = False) -> Bouncer:
    """Start PgBouncer on 127.0.0.1 and wait until it answers. detach: in a session of its own,
    its output to the folder, so it outlives the caller (.ci/pgbouncer-start)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="satupintu-pgbouncer-"))
    port = port or free_port()
    ini = write_config(folder, listen_addr="127.0.0.1", port=port, databases=databases or EVERY_DATABASE,
                       user=default_user(), overrides=overrides)
    if detach:
        with open(folder / "pgbouncer.out", "wb") as out:
            proc = subprocess.Popen(command(ini), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
    else:
        proc = subprocess.Popen(command(ini), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    bouncer = Bouncer(port, folder, proc)
    try:
        wait_until_answers("127.0.0.1", port, proc, folder / "pgbouncer.log")
    except StartFailed:
        out_file = folder / "pgbouncer.out"
        if out_file.exists():
            sys.stderr.write(out_file.read_text(errors="replace"))
        bouncer.stop(remove=False)
        raise
    return bouncer


def main(argv: list[str]) -> int:
    if argv[:1] != ["start"] or len(argv) > 2:
        sys.stderr.write("usage: python -m tests.pgbouncer start [FOLDER]\n")
        return 2
    if not os.access(PGBOUNCER, os.X_OK):
        sys.stderr.write(f"PgBouncer not installed ({PGBOUNCER})\n")
        return 1
    try:
        folder = Path(argv[1]) if len(argv) == 2 else None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        bouncer = start(folder=folder, overrides=SUITE_SIZING, detach=True)
    except StartFailed as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stderr.write(f"PgBouncer (pid {bouncer.proc.pid}) from {bouncer.folder / 'pgbouncer.ini'}, "
                     f"log {bouncer.folder / 'pgbouncer.log'}\n")
    print(bouncer.address)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
