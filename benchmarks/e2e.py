"""End-to-end figures on the running platform: latency from a bank event to its warning
and to the collection case visible through the API at a fixed input rate, and the highest
input rate whose consumer lag drains instead of growing."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

from shared.config import CommonSettings
from shared.kafka.client import create_producer
from shared.simulator.feed import Published
from benchmarks import stats
from benchmarks.observe import Arrivals, CaseWatcher, LagProbe
from benchmarks.pacing import TokenBucket

LAG_EVERY = 2.0


async def publish_paced(bootstrap: str, feed: Iterator[Published], rate: float,
                        seconds: float, sent: dict[str, float] | None = None) -> int:
    """Publish from `feed` at `rate` events/s for `seconds`; records in `sent` the time
    each event was handed to the producer, keyed by what its effects will carry as their
    correlationid. Returns how many were published."""
    producer = create_producer(CommonSettings(kafka_bootstrap_servers=bootstrap,
                                              service_name="bench-feed"))
    await producer.start()
    bucket, count, pending = TokenBucket(rate), 0, []
    deadline = time.monotonic() + seconds
    try:
        for topic, key, envelope in feed:
            if time.monotonic() >= deadline:
                break
            while (pause := bucket.wait_time()) > 0:
                await asyncio.sleep(pause)
            if sent is not None:
                sent[envelope.correlationid or envelope.id] = time.monotonic()
            pending.append(await producer.send(topic, envelope.to_bytes(), key=key.encode()))
            count += 1
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return count


async def _sample_lag(probe: LagProbe, into: list[tuple[float, int]], started: float) -> None:
    while True:
        into.append((round(time.monotonic() - started, 1), await probe.total()))
        await asyncio.sleep(LAG_EVERY)


async def _drain(probe: LagProbe, timeout: float) -> tuple[int, float]:
    """Wait until lag reaches zero or `timeout`; returns (lag left, seconds waited)."""
    started = time.monotonic()
    while True:
        lag = await probe.total()
        waited = time.monotonic() - started
        if lag == 0 or waited >= timeout:
            return lag, round(waited, 1)
        await asyncio.sleep(0.5)


async def latency_run(*, bootstrap: str, groups: list[str], collections_api: str, token: str,
                      feed: Iterator[Published], rate: float, seconds: float,
                      drain_timeout: float) -> dict:
    sent: dict[str, float] = {}
    arrivals = Arrivals(bootstrap, sent)
    await arrivals.start()
    cases = CaseWatcher(collections_api, token, arrivals)
    cases.start()
    probe = LagProbe(bootstrap, groups)
    await probe.start()
    lag: list[tuple[float, int]] = []
    sampler = asyncio.create_task(_sample_lag(probe, lag, time.monotonic()))
    try:
        published = await publish_paced(bootstrap, feed, rate, seconds, sent)
        sampler.cancel()
        left, waited = await _drain(probe, drain_timeout)
        lag_by_group = await probe.by_group()
        await _settle_cases(cases, timeout=10)
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        await cases.stop()
        await arrivals.stop()
        await probe.stop()
    return {"rate": rate, "seconds": seconds, "published": published,
            # Below `rate` when the publisher itself could not keep the pace (a busy machine).
            "achieved_input_rate": round(published / seconds, 1),
            "monitoring": stats.latency_summary(arrivals.monitoring_latencies),
            "warning": stats.latency_summary(arrivals.warning_latencies),
            "warnings_unmatched": arrivals.warnings_unmatched,
            "case": stats.latency_summary(cases.latencies),
            "cases_followed": len(cases.followed), "cases_never_visible": len(cases.pending),
            "lag_left_after_drain": left, "drain_seconds": waited,
            "lag_by_group_after_drain": lag_by_group,
            "lag_samples": lag}


async def _settle_cases(cases: CaseWatcher, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while cases.pending and time.monotonic() < deadline:
        await asyncio.sleep(0.2)


async def step_run(*, bootstrap: str, groups: list[str], feed: Iterator[Published],
                   rate: float, seconds: float, settle: float) -> dict:
    """One window at `rate`, then `settle` seconds for the backlog to go. A backlog left
    by the step before is given the same time to go first, and recorded."""
    probe = LagProbe(bootstrap, groups)
    await probe.start()
    try:
        lag_before, _ = await _drain(probe, settle)
    except BaseException:
        await probe.stop()
        raise
    lag: list[tuple[float, int]] = []
    sampler = asyncio.create_task(_sample_lag(probe, lag, time.monotonic()))
    try:
        published = await publish_paced(bootstrap, feed, rate, seconds)
        sampler.cancel()
        left, waited = await _drain(probe, settle)
        lag_by_group = await probe.by_group()
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        await probe.stop()
    achieved = published / seconds
    return {"rate": rate, "lag_at_start": lag_before, "achieved_input_rate": round(achieved, 1),
            "published": published,
            "lag_growth_per_second": round(stats.lag_slope(lag), 1),
            "peak_lag": max((value for _, value in lag), default=0),
            "lag_after_settle": left, "settle_seconds": waited,
            "lag_by_group_after_settle": lag_by_group,
            # The publisher itself may fall short of a high rate on a busy machine; such a
            # step proves nothing about the platform at the asked rate.
            "sustained": lag_before == 0 and stats.sustained(drained_lag=left, rate=rate)
                         and achieved >= 0.9 * rate}


async def sustained_search(*, bootstrap: str, groups: list[str], feed: Iterator[Published],
                           rates: list[float], seconds: float, settle: float,
                           backlog_timeout: float) -> dict:
    # The latency run may leave a backlog; a step that starts on one cannot pass.
    backlog = await _lag_after_drain(bootstrap, groups, backlog_timeout)
    steps = []
    for rate in rates:
        step = await step_run(bootstrap=bootstrap, groups=groups, feed=feed, rate=rate,
                              seconds=seconds, settle=settle)
        print(f"  step {rate:.0f}/s: published {step['published']}, peak lag "
              f"{step['peak_lag']}, after settle {step['lag_after_settle']} -> "
              f"{'sustained' if step['sustained'] else 'not sustained'}", flush=True)
        steps.append(step)
        if not step["sustained"]:
            break
    return {"window_seconds": seconds, "settle_seconds": settle,
            "backlog_before_search": backlog, "steps": steps,
            "highest_sustained_rate": stats.highest_sustained(steps)}


async def _lag_after_drain(bootstrap: str, groups: list[str], timeout: float) -> int:
    probe = LagProbe(bootstrap, groups)
    await probe.start()
    try:
        return (await _drain(probe, timeout))[0]
    finally:
        await probe.stop()
