"""The whole platform for fault tests: a private broker, a private PostgreSQL cluster (one
database per service) and every service's worker as a real subprocess that can be killed,
terminated and restarted; plus the "settled" check the batch-window feeder waits on."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.cli import SERVICES
from shared.localinfra.kafka import REPO_ROOT, LocalKafka, free_port
from shared.localinfra.postgres import LocalPostgres
from shared.runtime.launch import load_settings

log = logging.getLogger(__name__)
# Small enough that an oversize poison record still fits the producer's request limit.
MAX_EVENT_BYTES = 65_536


@dataclass
class WorkerProcess:
    service: str
    log_path: Path
    ops_port: int
    env: dict[str, str]
    process: subprocess.Popen | None = None
    exit_codes: list[int] = field(default_factory=list)
    restarting: bool = False  # down on purpose: not a crash for check_workers_alive

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.service}", "worker"], cwd=REPO_ROOT,
                env={**self.env, **(extra_env or {})}, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)

    def signal(self, sig: int, timeout: float = 60) -> int:
        """Send `sig` and wait for the exit; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.exit_codes.append(code)
        return code

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class FaultPlatform:
    """Owns its broker, its database cluster and its worker processes; nothing is shared
    with other tests, because the scenarios restart all of them."""

    def __init__(self, base: Path, name: str, database: str = "postgresql",
                 extra_env: dict[str, str] | None = None) -> None:
        self.base = base
        self.name = name
        self.database = database
        self.extra_env = dict(extra_env or {})
        self.kafka = LocalKafka(base / "kafka")
        self.postgres = LocalPostgres(base / "postgres")
        self.logs = base / "logs"
        self.workers: dict[str, WorkerProcess] = {}
        self.database_urls: dict[str, str] = {}
        self._probes: dict[str, tuple[AIOKafkaAdminClient, AIOKafkaConsumer]] = {}
        self.groups = [group for service in SERVICES
                       for group in load_settings(service).consumer_groups]

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)  # the PostgreSQL server runs as its own user
        self.logs.mkdir(exist_ok=True)
        self.kafka.start()
        if self.database == "sqlite":
            for service in SERVICES:
                self.database_urls[service] = f"sqlite+aiosqlite:///{self.base / service}.db"
        else:
            self.postgres.start()
            for service in SERVICES:
                self.database_urls[service] = self.postgres.create_database(service)
        from shared.config import CommonSettings
        from shared.kafka.admin import ensure_topics

        asyncio.run(ensure_topics(CommonSettings(kafka_bootstrap_servers=self.kafka.bootstrap)))
        for service in SERVICES:
            self.workers[service] = WorkerProcess(
                service, self.logs / f"{service}-worker.log", free_port(), self._env(service))
            self.workers[service].start()
        self.wait_ready()

    def stop(self) -> None:
        for worker in self.workers.values():
            if worker.alive():
                try:
                    worker.signal(signal.SIGTERM, timeout=60)
                except subprocess.TimeoutExpired:
                    worker.signal(signal.SIGKILL)
        self.kafka.stop()
        if self.database != "sqlite":
            self.postgres.stop()

    def _env(self, service: str) -> dict[str, str]:
        prefix = service.upper()
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT),
               "POSTLOAN_ENVIRONMENT": "test",
               "POSTLOAN_KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap,
               "POSTLOAN_MAX_EVENT_BYTES": str(MAX_EVENT_BYTES),
               "POSTLOAN_LOG_LEVEL": "WARNING",
               f"{prefix}_DATABASE_URL": self.database_urls[service],
               f"{prefix}_WORKER_OPS_PORT": str(free_port()), **self.extra_env}
        if service == "warning":
            # A SIGKILLed stream member holds its partitions until the session times out.
            env["WARNING_FAUST_SESSION_TIMEOUT_SECONDS"] = "6"  # the broker's minimum
        return env

    def wait_ready(self, services: list[str] | None = None, timeout: float = 180) -> None:
        """Every worker (or those named) alive and answering /readyz (database and broker
        reachable)."""
        import httpx

        deadline = time.monotonic() + timeout
        pending = set(services or self.workers)
        while pending and time.monotonic() < deadline:
            for service in list(pending):
                worker = self.workers[service]
                if not worker.alive():
                    raise RuntimeError(f"{service} worker exited with {worker.process.poll()}:\n"
                                       + self.tail(service))
                port = worker.env[f"{service.upper()}_WORKER_OPS_PORT"]
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=3).status_code == 200:
                        pending.discard(service)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        if pending:
            raise TimeoutError(f"workers not ready in {timeout}s: {sorted(pending)}")

    def tail(self, service: str, lines: int = 30) -> str:
        path = self.workers[service].log_path
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # -- faults -----------------------------------------------------------------------

    def kill_worker(self, service: str) -> None:
        self.workers[service].signal(signal.SIGKILL)
        self.workers[service].start()

    def restart_worker(self, service: str, extra_env: dict[str, str] | None = None) -> int:
        worker = self.workers[service]
        worker.restarting = True
        try:
            code = worker.signal(signal.SIGTERM)
            worker.start(extra_env)
        finally:
            worker.restarting = False
        return code

    def restart_kafka(self, down_seconds: float = 2.0) -> None:
        self.kafka.kill()  # a crash: no controlled shutdown, no leadership hand-over
        time.sleep(down_seconds)
        self.kafka.start()

    def check_workers_alive(self) -> None:
        dead = {s: w.process.poll() for s, w in self.workers.items()
                if not w.alive() and not w.restarting}
        if dead:
            raise AssertionError(f"workers exited on their own: {dead}\n" + "\n".join(
                f"--- {s}\n{self.tail(s)}" for s in dead))

    # -- settled ----------------------------------------------------------------------

    async def lags(self, probe: str = "settle") -> dict[str, int | None]:
        """Committed-offset lag of every consumer group; None: nothing committed yet.
        `probe` names the clients to use, so concurrent watchers do not share them."""
        admin, consumer = await self._probe_clients(probe)
        lags: dict[str, int | None] = {}
        for group in self.groups:
            committed = await admin.list_consumer_group_offsets(group)
            if not committed:
                lags[group] = None
                continue
            ends = await consumer.end_offsets(list(committed))
            lags[group] = sum(max(0, ends[tp] - m.offset) for tp, m in committed.items())
        return lags

    async def _probe_clients(self, probe: str) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        # Kept between checks: starting clients costs more than the check itself, and the
        # feeder checks twice per simulated day.
        if probe not in self._probes:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka.bootstrap)
            consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka.bootstrap)
            await admin.start()
            await consumer.start()
            self._probes[probe] = (admin, consumer)
        return self._probes[probe]

    async def close_probe(self, probe: str = "settle") -> None:
        if probe in self._probes:
            admin, consumer = self._probes.pop(probe)
            for close in (consumer.stop, admin.close):
                try:
                    await close()
                except Exception:  # noqa: BLE001 - a broken client is dropped anyway
                    pass

    async def outbox_backlog(self) -> dict[str, int]:
        backlog = {}
        for service, url in self.database_urls.items():
            engine = create_async_engine(url, poolclass=NullPool)
            try:
                async with engine.connect() as connection:
                    backlog[service] = (await connection.execute(text(
                        "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"))).scalar_one()
            finally:
                await engine.dispose()
        return backlog

    async def settle(self, timeout: float = 240) -> None:
        """Wait until every group's lag is zero and every outbox is empty, seen twice in a
        row: a record consumed between the two looks may have added outbox rows."""
        deadline = time.monotonic() + timeout
        try:
            await self._settle_loop(deadline)
        finally:
            await self.close_probe()

    async def _settle_loop(self, deadline: float) -> None:
        quiet, last = 0, None
        while quiet < 2:
            if time.monotonic() > deadline:
                raise TimeoutError(f"platform not settled in time: {last}")
            self.check_workers_alive()
            try:
                lags, backlog = await self.lags(), await self.outbox_backlog()
                last = (lags, backlog)
                ok = all(v == 0 for v in lags.values()) and not any(backlog.values())
                ok = ok and all(v == 0 for v in (await self.lags()).values())
            except Exception as exc:  # noqa: BLE001 - broker or database coming back
                last, ok = repr(exc), False
                await self.close_probe()
            quiet = quiet + 1 if ok else 0
            await asyncio.sleep(0.15 if ok else 0.3)
