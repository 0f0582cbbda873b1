"""Soak: the whole platform (every worker a process, a private broker and PostgreSQL)
under a steady simulated feed for N minutes, reporting every process's resident memory
over time, the total consumer lag and the outbox backlog. Memory that keeps climbing
while lag stays flat is a leak or an unbounded queue.

    python -m benchmarks.soak [--minutes 10] [--rate 40] [--every 15] [--json-out PATH]

Prints one line per sample and writes the samples as JSON (default .data/bench/soak.json)."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.stats import lag_slope
from shared.simulator.feed import SimulationOptions, generate
from shared.simulator.publish import publish
from tests.faults.platform import FaultPlatform


def rss_kib(pid: int) -> int | None:
    """Resident set size from /proc (kB); None when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def tree_rss_kib(pid: int) -> int | None:
    """RSS of a process and its direct children (the PostgreSQL backends)."""
    own = rss_kib(pid)
    if own is None:
        return None
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return own + sum(rss_kib(int(c)) or 0 for c in children)


def processes(platform: FaultPlatform) -> dict[str, tuple[int, bool]]:
    """name -> (pid, count children too)."""
    found = {f"{s}-worker": (w.process.pid, False) for s, w in platform.workers.items()
             if w.process is not None}
    if (kafka := platform.kafka.pid()) is not None:
        found["kafka"] = (kafka, False)
    pg_pid = platform.postgres.status().get("pid")
    if pg_pid:
        found["postgres"] = (int(pg_pid), True)
    return found


async def sample(platform: FaultPlatform, started: float) -> dict:
    rss = {name: (tree_rss_kib(pid) if tree else rss_kib(pid))
           for name, (pid, tree) in processes(platform).items()}
    lags = await platform.lags()
    backlog = await platform.outbox_backlog()
    return {"t": round(time.monotonic() - started, 1), "rss_mib": {
        k: round(v / 1024, 1) if v else None for k, v in rss.items()},
        "lag": sum(v or 0 for v in lags.values()), "outbox": sum(backlog.values())}


async def soak(platform: FaultPlatform, minutes: float, rate: float, every: float) -> list:
    options = SimulationOptions(loans=3000, days=720, seed=7)
    feed = asyncio.create_task(publish(platform.kafka.bootstrap, generate(options), rate=rate))
    started, samples = time.monotonic(), []
    try:
        while time.monotonic() - started < minutes * 60 and not feed.done():
            samples.append(await sample(platform, started))
            print(_line(samples[-1]), flush=True)
            await asyncio.sleep(every)
    finally:
        feed.cancel()
        await platform.close_probe()
    return samples


def _line(s: dict) -> str:
    mem = " ".join(f"{k.removesuffix('-worker')}={v}" for k, v in s["rss_mib"].items())
    return f"t={s['t']:>7}s lag={s['lag']:>6} outbox={s['outbox']:>5} RSS MiB: {mem}"


def summary(samples: list) -> dict:
    """Per process: first, peak and last RSS, and growth per minute over the second half
    (the first half includes warm-up: imports, caches, JIT in the broker)."""
    out: dict[str, dict] = {}
    names = {n for s in samples for n in s["rss_mib"]}
    half = samples[len(samples) // 2:]
    for name in sorted(names):
        series = [(s["t"], s["rss_mib"].get(name)) for s in samples]
        values = [v for _, v in series if v is not None]
        tail = [(t, int(v * 1024)) for t, v in ((s["t"], s["rss_mib"].get(name)) for s in half)
                if v is not None]
        growth = lag_slope(tail) * 60 / 1024 if len(tail) >= 2 else None
        out[name] = {"first_mib": values[0] if values else None,
                     "peak_mib": max(values) if values else None,
                     "last_mib": values[-1] if values else None,
                     "late_growth_mib_per_min": round(growth, 2) if growth is not None else None}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=40, help="bank events per second")
    parser.add_argument("--every", type=float, default=15, help="seconds between samples")
    parser.add_argument("--json-out", default=".data/bench/soak.json")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="postloan-soak-", dir="/tmp"))
    platform = FaultPlatform(base, "soak")
    try:
        platform.start()
        samples = asyncio.run(soak(platform, args.minutes, args.rate, args.every))
    finally:
        platform.stop()
    result = {"benchmark": "soak", "minutes": args.minutes, "rate": args.rate,
              "summary": summary(samples), "samples": samples}
    print(json.dumps(result["summary"], indent=1))
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
