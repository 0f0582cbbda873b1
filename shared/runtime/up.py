"""`postloan up`: the whole platform on one machine: local Kafka, every service's API and
worker (SQLite by default, PostgreSQL with --postgres), a simulated bank feed, a summary."""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time

from shared.cli import SERVICES
from shared.localinfra.kafka import REPO_ROOT, LocalKafka
from shared.localinfra.prometheus import start_for_local_run, stop_for_local_run
from shared.runtime.readiness import wait_until_ready

DATA = REPO_ROOT / ".data"
API_PORTS = {"monitoring": 8001, "warning": 8002, "collections": 8003, "crm": 8004,
             "reporting": 8005}


def add_up_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    up = subparsers.add_parser("up", help="run the whole platform locally")
    up.add_argument("--kafka-port", type=int, default=9092)
    up.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    up.add_argument("--loans", type=int, default=300, help="simulated loans (0: no feed)")
    up.add_argument("--days", type=int, default=120, help="simulated business days")
    up.add_argument("--seed", type=int, default=7)
    up.add_argument("--exit", action="store_true", help="stop after printing the summary")
    up.set_defaults(func=run_up)


class Platform:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.kafka = LocalKafka(DATA / "kafka", port=args.kafka_port,
                                controller_port=args.kafka_port + 1)
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.env = dict(os.environ)

    def start_infrastructure(self) -> None:
        self.kafka.ensure_jars()
        if not self.kafka.is_running():
            print(f"starting Kafka on {self.kafka.bootstrap} ...", flush=True)
            self.kafka.start()
        self.env.update(POSTLOAN_KAFKA_BOOTSTRAP_SERVERS=self.kafka.bootstrap,
                        POSTLOAN_ENVIRONMENT="local")
        if self.args.postgres:
            self._start_postgres()
        os.environ.update(self.env)
        from shared.config import CommonSettings
        from shared.kafka.admin import ensure_topics
        from shared.runtime.launch import migrate_service

        for drift in asyncio.run(ensure_topics(CommonSettings())).drift:
            print(f"altered {drift.describe()}", flush=True)
        for name in SERVICES:
            migrate_service(name)

    def _start_postgres(self) -> None:
        from shared.localinfra.postgres import LocalPostgres

        server = LocalPostgres(DATA / "postgres", port=5432)
        if not server.is_running():
            print("starting PostgreSQL ...", flush=True)
            server.start()
        for name in SERVICES:
            server.create_database(name)
            self.env[f"{name.upper()}_DATABASE_URL"] = server.url(name)

    def start_services(self) -> None:
        logs = DATA / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for name in SERVICES:
            for process in ("api", "worker"):
                log = open(logs / f"{name}-{process}.log", "ab")  # noqa: SIM115 - child owns it
                child = subprocess.Popen([sys.executable, "-m", f"services.{name}", process],
                                         cwd=REPO_ROOT, env=self.env, stdout=log, stderr=log,
                                         start_new_session=True)
                self.children.append((f"{name}-{process}", child))
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90) -> None:
        pending = wait_until_ready(API_PORTS, timeout=timeout, check_alive=self._check_children)
        if pending:
            raise RuntimeError(f"not ready in {timeout}s: {', '.join(pending)} (see .data/logs)")
        print("all services ready", flush=True)

    def _check_children(self) -> None:
        for name, child in self.children:
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with {child.returncode}; see .data/logs/{name}.log")

    def stop(self) -> None:
        for _, child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for name, child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        print("services stopped", flush=True)
        stop_for_local_run(DATA / "prometheus")
        self.kafka.stop()
        if self.args.postgres:
            from shared.localinfra.postgres import LocalPostgres

            LocalPostgres(DATA / "postgres").stop()
        print("infrastructure stopped", flush=True)


def run_up(args: argparse.Namespace) -> int:
    from shared.runtime.summary import feed_and_settle, print_summary

    platform = Platform(args)
    stop_requested = False

    def _request_stop(*_: object) -> None:
        nonlocal stop_requested
        stop_requested = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _request_stop)
    try:
        platform.start_infrastructure()
        platform.start_services()
        prometheus_url = start_for_local_run(DATA / "prometheus")
        if prometheus_url:
            print(f"Prometheus: {prometheus_url} (alerts: {prometheus_url}/alerts)", flush=True)
        last_day = None
        if args.loans:
            last_day = feed_and_settle(platform.kafka.bootstrap, loans=args.loans,
                                       days=args.days, seed=args.seed)
        print_summary(last_day)
        if args.exit:
            return 0
        print("press Ctrl-C to stop", flush=True)
        while True:
            platform._check_children()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    finally:
        platform.stop()
