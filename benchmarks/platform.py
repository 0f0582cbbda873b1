"""The whole platform for the end-to-end benchmark: a throwaway Kafka broker and PostgreSQL
cluster on free ports, and every service's API and worker as its own process, each on a
free port, each with its own database."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from shared.cli import SERVICES
from shared.localinfra.kafka import (
    REPO_ROOT, SMALL_JVM, SMALL_OVERRIDES, LocalKafka, free_port,
)
from shared.localinfra.postgres import LocalPostgres
from shared.runtime.readiness import wait_until_ready


class Infrastructure:
    """Kafka and PostgreSQL under one scratch directory in /tmp (PostgreSQL's server user
    must be able to reach its data directory)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="postloan-bench-"))
        self.root.chmod(0o755)
        self.kafka = LocalKafka(self.root / "kafka", jvm=SMALL_JVM,
                                overrides=SMALL_OVERRIDES)
        self.postgres = LocalPostgres(self.root / "postgres")

    def start(self) -> None:
        self.kafka.start()
        self.postgres.start()

    def fresh_broker(self) -> int | None:
        """Replace the broker with an empty one on the same port; returns its pid. The
        services' consumer groups have fixed names, so on the old broker a new platform
        would resume the previous one's backlog."""
        self.kafka.stop()
        shutil.rmtree(self.kafka.data_dir, ignore_errors=True)
        self.kafka.start()
        return self.kafka.pid()

    def stop(self, keep_logs: Path | None = None) -> None:
        """Stop both servers and delete the scratch directory, keeping the services' logs
        (replacing the previous run's) where the results are, for reading afterwards."""
        try:
            self.kafka.stop()
        finally:
            self.postgres.stop()
            if keep_logs is not None and (self.root / "logs").exists():
                shutil.rmtree(keep_logs, ignore_errors=True)
                shutil.copytree(self.root / "logs", keep_logs)
            shutil.rmtree(self.root, ignore_errors=True)

    def postgres_pid(self) -> int | None:
        try:
            return int((self.postgres.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


class Services:
    """API and worker of every service as child processes; logs under the scratch dir."""

    def __init__(self, infra: Infrastructure, run_id: str) -> None:
        self.infra, self.run_id = infra, run_id
        self.api_ports = {name: free_port() for name in SERVICES}
        self.children: dict[str, subprocess.Popen] = {}
        self.env = dict(os.environ, POSTLOAN_KAFKA_BOOTSTRAP_SERVERS=infra.kafka.bootstrap,
                        POSTLOAN_ENVIRONMENT="local", POSTLOAN_LOG_LEVEL="WARNING")
        self.logs = infra.root / "logs"

    def start(self, timeout: float = 180) -> None:
        self.logs.mkdir(exist_ok=True)
        for name in SERVICES:
            prefix = name.upper()
            database = f"{name}_{self.run_id}"
            self.env[f"{prefix}_DATABASE_URL"] = self.infra.postgres.create_database(database)
            self.env[f"{prefix}_API_PORT"] = str(self.api_ports[name])
            self.env[f"{prefix}_WORKER_OPS_PORT"] = str(free_port())
        # Once, before any process starts: an API and a worker that both migrate an empty
        # database at the same moment race to create alembic_version.
        subprocess.run([sys.executable, "-c", "import sys\n"
                        "from shared.runtime.launch import migrate_service\n"
                        "for name in sys.argv[1:]: migrate_service(name)", *SERVICES],
                       env=self.env, cwd=REPO_ROOT, check=True, capture_output=True)
        for name in SERVICES:
            for process in ("worker", "api"):
                self._spawn(f"{name}-{process}", [f"services.{name}", process])
        self._wait_ready(timeout)

    def _spawn(self, label: str, module_args: list[str]) -> None:
        log = open(self.logs / f"{label}.log", "ab")  # noqa: SIM115 - the child owns it
        self.children[label] = subprocess.Popen(
            [sys.executable, "-m", *module_args], cwd=REPO_ROOT, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def _wait_ready(self, timeout: float) -> None:
        pending = wait_until_ready(self.api_ports, timeout=timeout,
                                   check_alive=self.check_alive, interval=0.5)
        if pending:
            raise RuntimeError(f"not ready in {timeout}s: {', '.join(pending)}; "
                               f"logs in {self.logs}")

    def check_alive(self) -> None:
        for label, child in self.children.items():
            if child.poll() is not None:
                log = (self.logs / f"{label}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{label} exited with {child.returncode}:\n{log}")

    def consumer_groups(self) -> list[str]:
        """Every group the workers consume with, from each service's own settings."""
        script = ("import importlib,sys;"
                  "[print(g) for n in sys.argv[1:] for g in "
                  "importlib.import_module(f'services.{n}.config').Settings().consumer_groups]")
        done = subprocess.run([sys.executable, "-c", script, *SERVICES], env=self.env,
                              cwd=REPO_ROOT, capture_output=True, text=True, check=True)
        return done.stdout.split()

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children.values():
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=10)


async def wait_http_ok(url: str, headers: dict[str, str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url, headers=headers)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")
