"""python -m services.reporting api|worker
python -m services.reporting rebuild --database-url URL   (replay every topic into URL)"""
import argparse
import asyncio
import sys

from shared.runtime.early import exit_cleanly_on_sigterm

exit_cleanly_on_sigterm()  # before the imports below take their half second
from shared.runtime.launch import run_process  # noqa: E402


def _rebuild(argv: list[str]) -> int:
    from services.reporting.config import Settings
    from services.reporting.rebuild import rebuild

    parser = argparse.ArgumentParser(prog="python -m services.reporting rebuild")
    parser.add_argument("--database-url", required=True, help="an empty database to fill")
    parser.add_argument("--group", default=None, help="consumer group (default: a new one)")
    args = parser.parse_args(argv)
    result = asyncio.run(rebuild(Settings(), database_url=args.database_url, group=args.group))
    print(f"rebuilt from {result.records} records ({result.applied} applied, "
          f"{result.skipped} skipped) with consumer group {result.group}")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "api"
    sys.exit(_rebuild(sys.argv[2:]) if command == "rebuild" else run_process("reporting", command))
