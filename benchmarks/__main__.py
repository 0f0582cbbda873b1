"""`make bench`: run every benchmark we have at its default size, one after the other.
Each prints its own figures and appends a JSON line under bench-results/."""
from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    ("monitoring ingest", ["-m", "benchmarks.monitoring_ingest"]),
    ("ageing, 100k loans, PostgreSQL", ["-m", "benchmarks.ageing", "--loans", "100000",
                                        "--json-out", "bench-results/ageing.jsonl"]),
    ("warning throughput and latency", ["-m", "benchmarks.warning", "--postgres"]),
)


def main() -> int:
    failed = []
    for title, args in BENCHMARKS:
        print(f"=== {title}", flush=True)
        if subprocess.run([sys.executable, *args]).returncode != 0:
            failed.append(title)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
