"""`postloan simulate`: run the simulated bank, either counting its events (--dry-run) or
publishing them to Kafka with a progress line every few seconds."""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from datetime import date

from shared.simulator.feed import SimulationOptions, generate


def add_simulate_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    sim = subparsers.add_parser("simulate", help="publish a deterministic simulated bank feed")
    sim.add_argument("--loans", type=int, default=1000, help="loans on the book")
    sim.add_argument("--days", type=int, default=90, help="business days to simulate")
    sim.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 1),
                     help="first simulated day, YYYY-MM-DD")
    sim.add_argument("--seed", type=int, default=7, help="same seed, same events")
    sim.add_argument("--rate", type=float, default=None,
                     help="events per second (default: as fast as possible)")
    sim.add_argument("--bootstrap", default=None,
                     help="Kafka bootstrap servers (default: POSTLOAN_KAFKA_BOOTSTRAP_SERVERS)")
    sim.add_argument("--dry-run", action="store_true",
                     help="count the events per type without connecting to Kafka")
    sim.set_defaults(func=run_simulate)
    return sim


def _options(args: argparse.Namespace) -> SimulationOptions:
    if args.loans < 0 or args.days < 1:
        raise SystemExit("--loans must be at least 0 and --days at least 1")
    return SimulationOptions(loans=args.loans, days=args.days, start=args.start, seed=args.seed)


def run_simulate(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.dry_run:
        return _dry_run(options)
    return asyncio.run(_publish(options, args.bootstrap, args.rate))


def _dry_run(options: SimulationOptions) -> int:
    started = time.monotonic()
    counts = Counter(envelope.type for _, _, envelope in generate(options))
    elapsed = time.monotonic() - started
    _print_counts(counts)
    print(f"{sum(counts.values()):,} events for {options.loans:,} loans over {options.days} days "
          f"from {options.start} (seed {options.seed}), generated in {elapsed:.1f}s")
    return 0


def _print_counts(counts: Counter) -> None:
    width = max((len(name) for name in counts), default=0)
    for name in sorted(counts):
        print(f"  {name:<{width}}  {counts[name]:>9,}")


async def _publish(options: SimulationOptions, bootstrap: str | None, rate: float | None) -> int:
    from shared.config import CommonSettings
    from shared.simulator.publish import publish

    bootstrap = bootstrap or CommonSettings().kafka_bootstrap_servers
    started = time.monotonic()

    def progress(sent: int, day: date | None) -> None:
        per_second = sent / max(time.monotonic() - started, 1e-6)
        print(f"simulate: {sent:,} events sent, business days closed through {day or '-'}, "
              f"{per_second:,.0f} events/s", flush=True)

    summary = await publish(bootstrap, generate(options), rate=rate, progress=progress)
    _print_counts(summary.by_type)
    print(f"published {summary.sent:,} events to {bootstrap} in {summary.seconds:.1f}s "
          f"({', '.join(f'{t}: {n:,}' for t, n in sorted(summary.by_topic.items()))})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (python -m shared.simulator.cli) until the main CLI wires it in."""
    parser = argparse.ArgumentParser(prog="postloan")
    add_simulate_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
