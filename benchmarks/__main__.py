"""`make bench`: the performance benchmark of the whole platform on a local Kafka broker and
PostgreSQL cluster it starts itself. Prints a table and writes .data/bench/latest.json.

    python -m benchmarks            # default run, about 15 minutes on 2 cores
    python -m benchmarks --quick    # smaller sizes, about 3 minutes
    python -m benchmarks --soak     # afterwards, the soak run (benchmarks/soak.py)"""
from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys

from benchmarks.profiles import FULL, QUICK
from benchmarks.suite import PHASES, main as run_suite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a ~3-minute run at small sizes")
    parser.add_argument("--soak", action="store_true",
                        help="also run `python -m benchmarks.soak` when that module exists")
    parser.add_argument("--only", nargs="+", choices=PHASES, default=list(PHASES),
                        help="run only these phases (end_to_end includes the sustained rate)")
    args = parser.parse_args(argv)
    status = run_suite(QUICK if args.quick else FULL, frozenset(args.only))
    if args.soak:
        if importlib.util.find_spec("benchmarks.soak") is None:
            print("--soak: benchmarks/soak.py does not exist; skipped")
        else:
            status |= subprocess.run([sys.executable, "-m", "benchmarks.soak"]).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
