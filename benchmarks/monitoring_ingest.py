"""Monitoring ingest rate: publish a simulated bank feed to a throwaway local broker first,
then start the monitoring worker and time how fast it drains the backlog.

    python -m benchmarks.monitoring_ingest --loans 2000 --days 30 [--database-url URL]

Prints one table line and writes a JSON line (to --json, default bench-results/)."""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from shared.config import CommonSettings
from shared.kafka.admin import ensure_topics
from shared.kafka.lag import group_lag
from shared.localinfra.kafka import LocalKafka
from shared.simulator.feed import SimulationOptions, generate
from shared.simulator.publish import publish
from services.monitoring.config import Settings
from tests.support.services import migrate, running_worker


async def _measure(bootstrap: str, database_url: str, loans: int, days: int) -> dict:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=bootstrap))
    summary = await publish(bootstrap, generate(SimulationOptions(loans=loans, days=days)))
    settings = Settings(kafka_bootstrap_servers=bootstrap, database_url=database_url,
                        consumer_group="bench-monitoring", log_level="WARNING")
    await migrate("monitoring", database_url)
    started = time.perf_counter()
    async with running_worker("monitoring", settings):
        while await group_lag(bootstrap, "bench-monitoring") != 0:
            await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - started
    return {"benchmark": "monitoring_ingest", "loans": loans, "days": days,
            "events": summary.sent, "seconds": round(elapsed, 2),
            "events_per_second": round(summary.sent / elapsed, 1),
            "database": database_url.split(":", 1)[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in tmp")
    parser.add_argument("--json", type=Path, default=Path("bench-results/monitoring_ingest.jsonl"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        broker = LocalKafka(Path(scratch) / "kafka")
        broker.start()
        try:
            url = args.database_url or f"sqlite+aiosqlite:///{scratch}/monitoring.db"
            result = asyncio.run(_measure(broker.bootstrap, url, args.loans, args.days))
        finally:
            broker.stop()
    print(f"monitoring ingest: {result['events']:,} events in {result['seconds']}s = "
          f"{result['events_per_second']:,} events/s ({result['database']})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    with args.json.open("a") as out:
        out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
