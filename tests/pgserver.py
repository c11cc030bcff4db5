"""A throwaway PostgreSQL server for the tests: a new cluster in a temporary folder, reached
through a Unix socket only (no TCP port is opened), stopped when the tests end.

Debian's `postgresql` package (scripts/system-deps.sh installs it) provides initdb and
postgres; the server refuses to run as root, so as root it runs as the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def problem() -> str | None:
    """Why no test server can be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'leaktrace[postgres]')"
    if _binaries() is None:
        return "PostgreSQL is not installed (Debian package postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    return None


class Server:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.root = Path(tempfile.mkdtemp(prefix="leaktrace-pg-"))
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        self.socket.mkdir()
        self.user = None
        self.proc: subprocess.Popen | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            pw = pwd.getpwnam("postgres")
            for p in (self.root, self.socket):
                os.chown(p, pw.pw_uid, pw.pw_gid)

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", self.user, "--"] if self.user else []) + list(args)

    def start(self) -> "Server":
        subprocess.run(self._cmd(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
                       check=True, capture_output=True)
        self.proc = subprocess.Popen(
            self._cmd(str(self.bin / "postgres"), "-D", str(self.data), "-k", str(self.socket), "-c",
                      "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
                      "-c", "full_page_writes=off"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import psycopg

        for _ in range(200):
            try:
                psycopg.connect(self.dsn("postgres"), connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                if self.proc.poll() is not None:
                    raise RuntimeError("the test PostgreSQL server did not start") from None
                time.sleep(0.05)
        raise RuntimeError("the test PostgreSQL server did not answer")

    def dsn(self, database: str) -> str:
        return f"host={self.socket} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket}"

    def new_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.dsn("postgres")) as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)
