"""`postloan kafka ...` and `postloan postgres ...`: local servers for development."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from shared.localinfra.kafka import REPO_ROOT

KAFKA_ACTIONS = ("start", "stop", "status", "restart", "jars")
POSTGRES_ACTIONS = ("start", "stop", "status", "restart")


def add_infra_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    kafka = subparsers.add_parser("kafka", help="run a local single-node Kafka broker")
    kafka.add_argument("action", choices=KAFKA_ACTIONS,
                       help="jars only resolves the broker jars into .cache/kafka-libs")
    kafka.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "kafka",
                       help="broker data, config, pid file and log (default: .data/kafka)")
    kafka.add_argument("--port", type=int, default=9092, help="client port (default: 9092)")
    kafka.add_argument("--controller-port", type=int, default=9093,
                       help="KRaft controller port (default: 9093)")
    kafka.set_defaults(func=_friendly(kafka_command))

    postgres = subparsers.add_parser("postgres", help="run a local PostgreSQL server")
    postgres.add_argument("action", choices=POSTGRES_ACTIONS)
    postgres.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "postgres",
                          help="default: .data/postgres; as root, every parent directory "
                               "must be reachable by the postgres user")
    postgres.add_argument("--port", type=int, default=5432, help="default: 5432")
    postgres.set_defaults(func=_friendly(postgres_command))


def kafka_command(args: argparse.Namespace) -> int:
    from shared.localinfra.kafka import LocalKafka

    # Without port arguments the ports come from the last run on this data dir, so status,
    # stop and "already running" report where the broker really listens, not the flags.
    existing = LocalKafka(args.data_dir)
    if args.action == "jars":
        print(f"kafka jars ready in {existing.ensure_jars()}")
        return 0
    if args.action == "status":
        return _report("kafka", existing.status(), existing.bootstrap)
    if args.action == "stop":
        existing.stop()
        print(f"kafka stopped ({existing.data_dir})")
        return 0
    if args.action == "start" and existing.is_running():
        print(f"kafka already running (pid {existing.pid()}) at {existing.bootstrap}")
        return 0
    existing.stop()
    broker = LocalKafka(args.data_dir, port=args.port, controller_port=args.controller_port)
    broker.start()
    print(f"kafka running (pid {broker.pid()}) at {broker.bootstrap}; log: {broker.log_file}")
    return 0


def postgres_command(args: argparse.Namespace) -> int:
    from shared.localinfra.postgres import LocalPostgres

    existing = LocalPostgres(args.data_dir)  # a running server's port comes from its pid file
    if args.action == "status":
        return _report("postgres", existing.status(), existing.url())
    if args.action == "stop":
        existing.stop()
        print(f"postgres stopped ({existing.data_dir})")
        return 0
    if args.action == "start" and existing.is_running():
        print(f"postgres already running at {existing.url()}")
        return 0
    existing.stop()
    server = LocalPostgres(args.data_dir, port=args.port)
    server.start()
    print(f"postgres running at {server.url()}; log: {server.log_file}")
    return 0


def _friendly(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Expected failures (port taken, binaries missing, startup timeout) as one line, exit 1."""
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (RuntimeError, TimeoutError, OSError) as failure:
            print(f"postloan {args.command} {args.action}: {failure}", file=sys.stderr)
            return 1
    return run


def _report(name: str, status: dict[str, object], address: str) -> int:
    """Exit 0 when running, 3 when not (the LSB status convention pg_ctl uses too)."""
    if status["running"]:
        print(f"{name} running (pid {status['pid']}) at {address}; data: {status['data_dir']}")
        return 0
    print(f"{name} not running; data: {status['data_dir']}")
    return 3
