"""The `postloan` command: run services, mint local tokens, manage local infrastructure."""
from __future__ import annotations

import argparse
import sys

SERVICES = ("monitoring", "warning", "collections", "crm", "reporting")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="postloan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one service process")
    run.add_argument("service", choices=SERVICES)
    run.add_argument("process", choices=("api", "worker"))
    run.set_defaults(func=_run)

    token = sub.add_parser("token", help="print a signed local bearer token")
    token.add_argument("--role", action="append", required=True, help="repeat for several roles")
    token.add_argument("--subject", default="local-user")
    token.add_argument("--team", default=None)
    token.add_argument("--ttl", type=int, default=3600, help="seconds until expiry")
    token.set_defaults(func=_token)

    topics = sub.add_parser(
        "topics", help="create every topic and its dead-letter topic; give existing ones "
                       "the catalogue's retention (kept forever, for rebuilds)")
    topics.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 listing missing topics and configs "
                             "that differ from the catalogue")
    topics.set_defaults(func=_topics)

    migrate = sub.add_parser("migrate", help="bring service databases to the newest schema")
    migrate.add_argument("service", nargs="*", choices=SERVICES, default=list(SERVICES))
    migrate.set_defaults(func=_migrate)

    contract = sub.add_parser("contract", help="regenerate the AsyncAPI doc and event schemas")
    contract.add_argument("--check", action="store_true",
                          help="write nothing; exit 1 listing files that differ from the code")
    contract.add_argument("--root", default=None, help="repository root (default: this checkout)")
    contract.set_defaults(func=_contract)

    revision = sub.add_parser("makemigration", help="autogenerate a schema revision")
    revision.add_argument("service", choices=SERVICES)
    revision.add_argument("-m", "--message", required=True)
    revision.set_defaults(func=_makemigration)

    from shared.localinfra.cli import add_infra_commands

    add_infra_commands(sub)
    from shared.runtime.up import add_up_command
    from shared.simulator.cli import add_simulate_command

    add_up_command(sub)
    add_simulate_command(sub)
    return parser


def _run(args: argparse.Namespace) -> int:
    from shared.runtime.launch import run_process

    return run_process(args.service, args.process)


def _token(args: argparse.Namespace) -> int:
    from shared.auth import mint_local_token
    from shared.config import CommonSettings

    print(mint_local_token(CommonSettings(), roles=args.role, subject=args.subject,
                           team=args.team, ttl_seconds=args.ttl))
    return 0


def _topics(args: argparse.Namespace) -> int:
    import asyncio

    from shared.config import CommonSettings
    from shared.kafka.admin import ensure_topics

    report = asyncio.run(ensure_topics(CommonSettings(), check_only=args.check))
    if args.check:
        for name in report.missing:
            print(f"{name}: missing")
        for drift in report.drift:
            print(drift.describe())
        if not report.in_order:
            print("topics differ from the catalogue; `postloan topics` creates the missing "
                  "ones and alters the configs", file=sys.stderr)
            return 1
        print("topics match the catalogue")
        return 0
    for drift in report.drift:
        print(f"altered {drift.describe()}")
    if any(d.name.startswith("retention.") for d in report.drift):
        print("records the old retention already deleted are gone: a rebuild replays only "
              "what the topics still hold", file=sys.stderr)
    print(f"topics ready ({len(report.missing)} created, "
          f"{len({d.topic for d in report.drift})} altered)")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from shared.runtime.launch import migrate_service

    for name in args.service:
        migrate_service(name)
    return 0


def _contract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from shared.events import asyncapi

    root = Path(args.root) if args.root else Path(__file__).resolve().parents[1]
    changes = asyncapi.diff(root) if args.check else asyncapi.write(root)
    for line in changes:
        print(line)
    if args.check and changes:
        print(f"event contract docs are out of date; run `{asyncapi.REGENERATE}`", file=sys.stderr)
        return 1
    print("event contract docs are current" if not changes else f"updated {len(changes)} files")
    return 0


def _makemigration(args: argparse.Namespace) -> int:
    import tempfile

    from shared.db.migrate import autogenerate

    with tempfile.TemporaryDirectory() as scratch:
        autogenerate(args.service, args.message, f"sqlite+aiosqlite:///{scratch}/scratch.db")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
