"""A throwaway local PostgreSQL cluster (initdb + pg_ctl) for when no URL is given."""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from typing import Iterator

_TUNING = ("-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB "
           "-c max_wal_size=8GB -c checkpoint_timeout=15min -c effective_cache_size=4GB")


def postgres_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    path = os.path.dirname(found[-1]) if found else None
    return path or (os.path.dirname(shutil.which("initdb") or "") or None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str]) -> None:
    # PostgreSQL refuses to run as root: drop to the `postgres` account when we are root.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + command, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Yield a postgresql+asyncpg URL to a fresh cluster; stop and delete it afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries found; pass --database-url")
    root = tempfile.mkdtemp(prefix="ageing-bench-pg-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = os.path.join(root, "data"), _free_port()
    try:
        _run([f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"])
        _run([f"{bin_dir}/pg_ctl", "-D", data, "-l", os.path.join(root, "log"), "-w", "-o",
              f"-p {port} -k {root} -c listen_addresses=127.0.0.1 {_TUNING}", "start"])
        try:
            yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
        finally:
            _run([f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
