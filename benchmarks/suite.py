"""The whole benchmark of issue 12 on one local Kafka broker and PostgreSQL cluster:
raw baseline, end-to-end latency and highest sustained rate on the running platform,
monitoring ingest, ageing; peak RSS throughout; a table and JSON at the end.

A phase that fails is recorded with its error and the others still run, so one broken
piece never hides every other figure."""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

from shared.auth import mint_local_token
from shared.config import CommonSettings
from shared.kafka.admin import ensure_topics
from shared.localinfra.kafka import REPO_ROOT
from shared.simulator.feed import Published, SimulationOptions, generate
from benchmarks import e2e, raw, report
from benchmarks.platform import Infrastructure, Services
from benchmarks.profiles import FEED_DAYS, Profile
from benchmarks.rss import PeakRss

RESULTS_DIR = REPO_ROOT / ".data" / "bench"


async def _phase(results: dict, name: str, step: Callable[[], Awaitable[Any]]) -> None:
    print(f"=== {name}", flush=True)
    started = time.monotonic()
    try:
        results[name] = await step()
    except Exception as exc:  # noqa: BLE001 - recorded in the results, reported at the end
        traceback.print_exc()
        results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    print(f"    ({time.monotonic() - started:.0f} s)", flush=True)


async def _raw(infra: Infrastructure, profile: Profile, scratch: Path) -> dict:
    figures = {"aiokafka": await raw.aiokafka_baseline(infra.kafka.bootstrap,
                                                       profile.raw_messages)}
    print(f"    aiokafka: {json.dumps(figures['aiokafka'])}", flush=True)
    try:
        figures["kafka_tools"] = await raw.tools_baseline(
            infra.kafka.bootstrap, infra.kafka.libs_dir, profile.raw_messages, scratch)
        print(f"    kafka tools: {json.dumps(figures['kafka_tools'])}", flush=True)
    except Exception as exc:  # noqa: BLE001 - the aiokafka figures still stand
        figures["kafka_tools"] = {"error": f"{type(exc).__name__}: {exc}"}
    return figures


async def _platform(results: dict, infra: Infrastructure, profile: Profile,
                    rss: PeakRss) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=infra.kafka.bootstrap))
    await _latency(results, "end_to_end", infra, rss, profile, profile.e2e_rate)
    # A fresh platform on an empty broker: a backlog the latency run could not drain would
    # otherwise be resumed by the same consumer groups and fail every step.
    await _fresh_broker(infra, rss)
    async with _running(infra, rss, profile) as (services, groups, feed):
        await _phase(results, "sustained", lambda: e2e.sustained_search(
            bootstrap=infra.kafka.bootstrap, groups=groups, feed=feed,
            rates=list(profile.step_rates), seconds=profile.step_seconds,
            settle=profile.step_settle, backlog_timeout=profile.drain_timeout))
    # The latency the platform gives when it keeps up: the target rate above is beyond
    # what it sustains, so those figures are mostly queueing.
    rate = (results.get("sustained") or {}).get("highest_sustained_rate")
    if rate:
        await _fresh_broker(infra, rss)
        await _latency(results, "end_to_end_at_sustained_rate", infra, rss, profile, rate)


async def _latency(results: dict, name: str, infra: Infrastructure, rss: PeakRss,
                   profile: Profile, rate: float) -> None:
    async with _running(infra, rss, profile) as (services, groups, feed):
        token = mint_local_token(CommonSettings(), roles=["collection_manager"])
        api = f"http://127.0.0.1:{services.api_ports['collections']}"
        await _phase(results, name, lambda: e2e.latency_run(
            bootstrap=infra.kafka.bootstrap, groups=groups, collections_api=api, token=token,
            feed=feed, rate=rate, seconds=profile.e2e_seconds,
            drain_timeout=profile.drain_timeout))
        _print_latency(results[name])
        services.check_alive()


async def _fresh_broker(infra: Infrastructure, rss: PeakRss) -> None:
    rss.watch("kafka broker", await asyncio.to_thread(infra.fresh_broker))
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=infra.kafka.bootstrap))


@contextlib.asynccontextmanager
async def _running(infra: Infrastructure, rss: PeakRss, profile: Profile):  # type: ignore[no-untyped-def]
    """Every service's API and worker on fresh databases, and a feed. The consumer groups
    keep their names: start on an empty broker for a clean start (`_fresh_broker`)."""
    services = Services(infra, uuid.uuid4().hex[:6])
    try:
        await asyncio.to_thread(services.start)
        for label, child in services.children.items():
            rss.watch(label, child.pid)
        groups = await asyncio.to_thread(services.consumer_groups)
        feed = _primed(generate(SimulationOptions(loans=profile.feed_loans(), days=FEED_DAYS,
                                                  seed=23)))
        yield services, groups, feed
    finally:
        rss.sample()
        await asyncio.to_thread(services.stop)


async def _guarded_platform(results: dict, infra: Infrastructure, profile: Profile,
                            rss: PeakRss) -> None:
    """Starting the platform can fail before either of its phases runs; record that on
    both so the run goes on to the phases that do not need it."""
    try:
        await _platform(results, infra, profile, rss)
    except Exception as exc:  # noqa: BLE001 - recorded in the results
        traceback.print_exc()
        for name in ("end_to_end", "sustained"):
            results.setdefault(name, {"error": f"{type(exc).__name__}: {exc}"})


def _primed(feed: Iterator[Published]) -> Iterator[Published]:
    """The feed plans the whole book on its first item; do that before any timed window."""
    first = next(feed)
    return itertools.chain([first], feed)


def _print_latency(figures: dict) -> None:
    if "published" in figures:
        print(f"    published {figures['published']} events "
              f"({figures['achieved_input_rate']}/s); lag after drain "
              f"{figures['lag_by_group_after_drain']}", flush=True)
    for what in ("monitoring", "warning", "case"):
        if what in figures:
            f = figures[what]
            print(f"    {what}: n={f['count']} p50={f['p50_ms']} p95={f['p95_ms']} "
                  f"p99={f['p99_ms']} ms", flush=True)


async def _ingest(infra: Infrastructure, profile: Profile) -> dict:
    # INTEGRATION POINT: monitoring ingest is measured by benchmarks/monitoring_ingest.py;
    # this is the only place the suite calls it.
    from benchmarks import monitoring_ingest

    shapes = []
    for loans, per_loan in profile.ingest_shapes:
        url = await asyncio.to_thread(infra.postgres.create_database,
                                      f"ingest_{uuid.uuid4().hex[:6]}")
        figures = await monitoring_ingest.run(
            loans=loans, payments_per_loan=per_loan, databases=("postgresql",),
            bootstrap=infra.kafka.bootstrap, postgres_url=url)
        result = figures["results"][0]
        print(f"    {loans} loans x {per_loan}: {result['events']} repayments, "
              f"{result['events_per_second']} events/s", flush=True)
        shapes.append({"loans": loans, "payments_per_loan": per_loan, **result})
    return {"shapes": shapes, "events_per_second": shapes[0]["events_per_second"]}


async def _ageing(profile: Profile) -> dict:
    """Each size in its own process and its own tuned throwaway cluster (the ageing
    benchmark's), so one size's memory and caches do not colour the next."""
    found = {}
    for loans in profile.ageing_loans:
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "benchmarks.ageing", "--loans", str(loans)],
            cwd=REPO_ROOT, capture_output=True, text=True)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            found[str(loans)] = {"error": done.stderr[-1500:]}
            continue
        found[str(loans)] = json.loads(lines[-1])
        print("    " + "\n    ".join(lines[:-1]), flush=True)
    return found


PHASES = ("raw", "end_to_end", "monitoring_ingest", "ageing")


async def run_suite(profile: Profile, only: frozenset[str] = frozenset(PHASES)) -> dict:
    results: dict = {"profile": profile.name, "cpus": os.cpu_count(),
                     "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    infra = Infrastructure()
    rss = PeakRss()
    with tempfile.TemporaryDirectory() as scratch:
        try:
            await asyncio.to_thread(infra.start)
            rss.watch("kafka broker", infra.kafka.pid())
            rss.watch("postgresql", infra.postgres_pid())
            rss.start()
            if "raw" in only:
                await _phase(results, "raw", lambda: _raw(infra, profile, Path(scratch)))
            if "end_to_end" in only:
                await _guarded_platform(results, infra, profile, rss)
            if "monitoring_ingest" in only:
                await _phase(results, "monitoring_ingest", lambda: _ingest(infra, profile))
            if "ageing" in only:
                await _phase(results, "ageing", lambda: _ageing(profile))
        finally:
            try:
                await rss.stop()
            finally:  # the servers must go even when the sampler failed
                await asyncio.to_thread(infra.stop, RESULTS_DIR / "logs")
    results["rss"] = rss.peaks()
    results["driver_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["ratios"] = report.ratios(results)
    return results


def main(profile: Profile, only: frozenset[str] = frozenset(PHASES)) -> int:
    results = asyncio.run(run_suite(profile, only))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = report.write_json(results, RESULTS_DIR, stamp)
    print("\n" + report.figures_table(results) + "\n")
    print(report.latency_table(results) + "\n")
    print(report.ageing_table(results) + "\n")
    print(report.checks_table(report.checks(results)) + "\n")
    print(f"written {path} and {RESULTS_DIR / 'latest.json'}")
    failed = [name for name, value in results.items()
              if isinstance(value, dict) and "error" in value]
    if failed:
        print("phases that failed: " + ", ".join(failed))
    return 1 if failed else 0
