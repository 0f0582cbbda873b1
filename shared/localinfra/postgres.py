"""A throwaway PostgreSQL server in a data directory, driven by initdb/pg_ctl (no system service).

PostgreSQL refuses to run as root, so under root every server-side binary runs as the
`postgres` user via runuser; the data directory and all its parents must be reachable by it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from shared.localinfra.kafka import free_port

SERVER_USER = "postgres"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def find_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<major>/bin, else wherever pg_ctl is on PATH."""
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()]
    candidates.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1]
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).resolve().parent
    raise RuntimeError("PostgreSQL server binaries not found; install the `postgresql` package")


class LocalPostgres:
    def __init__(self, data_dir: Path | str, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or self._running_port() or free_port()
        self.bin_dir = find_bin_dir()

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        if self.is_running():
            return
        self._prepare_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            self._server_cmd("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                             "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=200")
        # -l matters: without it the server inherits pg_ctl's stdout and a captured pipe
        # would never close, hanging this call.
        self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                         "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        if self.is_running():
            self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def kill(self) -> None:
        """Crash-stop for fault tests. Immediate mode quits every backend without a checkpoint
        (recovery runs on the next start); a bare SIGKILL of the postmaster would leave
        orphan backends holding shared memory and block the next start."""
        if self.is_running():
            self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        done = subprocess.run(self._as_server_user("pg_ctl", "-D", str(self.data_dir), "status"),
                              capture_output=True, text=True)
        return done.returncode == 0

    def status(self) -> dict[str, object]:
        running = self.is_running()
        return {"running": running, "pid": self._postmaster_line(0) if running else None,
                "url": self.url(), "data_dir": str(self.data_dir)}

    def create_database(self, name: str) -> str:
        """Create `name` (letters, digits, underscores) and return its asyncpg URL."""
        if not _NAME.match(name):
            raise ValueError(f"unsafe database name: {name!r}")
        self._psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        if not _NAME.match(name):
            raise ValueError(f"unsafe database name: {name!r}")
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # -- helpers ------------------------------------------------------------------------

    def _psql(self, sql: str) -> None:
        psql = self.bin_dir / "psql"
        cmd = [str(psql) if psql.exists() else "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
               "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
               "-c", sql]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {sql}\n{done.stderr}")

    def _prepare_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not _is_root():
            return
        shutil.chown(self.data_dir, SERVER_USER, SERVER_USER)
        self.data_dir.chmod(0o700)
        probe = subprocess.run(["runuser", "-u", SERVER_USER, "--", "test", "-w",
                                str(self.data_dir)], capture_output=True)
        if probe.returncode != 0:
            raise RuntimeError(f"user {SERVER_USER} cannot reach {self.data_dir}; pick a data "
                               "directory whose parents are world-executable (e.g. under /tmp)")

    def _server_cmd(self, tool: str, *args: str) -> None:
        done = subprocess.run(self._as_server_user(tool, *args), capture_output=True, text=True)
        if done.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-3000:] if self.log_file.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args[-1:])} failed:\n{done.stdout}\n"
                               f"{done.stderr}\n{log}")

    def _as_server_user(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bin_dir / tool), *args]
        return ["runuser", "-u", SERVER_USER, "--", *cmd] if _is_root() else cmd

    def _postmaster_line(self, index: int) -> int | None:
        # postmaster.pid: line 1 is the pid, line 4 the port (stable since PostgreSQL 9.1).
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[index])
        except (OSError, ValueError, IndexError):
            return None

    def _running_port(self) -> int | None:
        return self._postmaster_line(3)


def _is_root() -> bool:
    return os.geteuid() == 0
