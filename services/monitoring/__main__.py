"""python -m services.monitoring api|worker
python -m services.monitoring rebuild --database-url URL   (replay the consumed topics into URL)"""
import argparse
import asyncio
import sys

from shared.runtime.early import exit_cleanly_on_sigterm

exit_cleanly_on_sigterm()  # before the imports below take their half second
from shared.runtime.launch import run_process  # noqa: E402


def _rebuild(argv: list[str]) -> int:
    from shared.observability.logging import configure_logging
    from services.monitoring.config import Settings
    from services.monitoring.rebuild import RebuildRefused, rebuild

    parser = argparse.ArgumentParser(prog="python -m services.monitoring rebuild")
    parser.add_argument("--database-url", required=True, help="an empty database to fill")
    parser.add_argument("--group", default=None, help="consumer group (default: a new one)")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging("monitoring-rebuild", settings.log_level)
    try:
        result = asyncio.run(rebuild(settings, database_url=args.database_url, group=args.group))
    except RebuildRefused as exc:
        print(f"rebuild refused: {exc}", file=sys.stderr)
        return 2
    print(f"rebuilt from {result.records} records ({result.applied} events applied, "
          f"{result.dead_lettered} skipped as dead letters) with consumer group "
          f"{result.group}; {result.unpublished} derived events marked sent, none published")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "api"
    sys.exit(_rebuild(sys.argv[2:]) if command == "rebuild" else run_process("monitoring", command))
