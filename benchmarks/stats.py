"""Pure arithmetic over measured samples: latency percentiles and consumer-lag verdicts."""
from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): always a value that was actually observed, so
    a p99 over 50 samples is the worst one rather than an interpolation beyond the data."""
    if not values:
        raise ValueError("no samples")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """p50/p95/p99/max in milliseconds; None figures when nothing was observed."""
    if not seconds:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {"count": len(seconds),
            **{f"p{q}_ms": round(percentile(seconds, q) * 1000, 1) for q in (50, 95, 99)},
            "max_ms": round(max(seconds) * 1000, 1)}


def lag_slope(samples: Sequence[tuple[float, int]]) -> float:
    """Least-squares growth of lag in records per second over (time, lag) samples."""
    if len(samples) < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / len(samples)
    mean_l = sum(lag for _, lag in samples) / len(samples)
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (lag - mean_l) for t, lag in samples) / spread


def sustained(*, drained_lag: int, rate: float, tolerance_seconds: float = 1.0) -> bool:
    """A rate is sustained when, shortly after the input stops, what is still queued is no
    more than `tolerance_seconds` of input: the backlog returned near zero instead of
    carrying over. A rate the platform cannot keep up with leaves a backlog that grew for
    the whole window and cannot drain in the short settle time."""
    return drained_lag <= max(1.0, rate * tolerance_seconds)


def highest_sustained(steps: Sequence[dict]) -> float | None:
    """The highest rate of a run of passing steps from the lowest up; a later pass after a
    failure is noise, not capacity."""
    best = None
    for step in sorted(steps, key=lambda s: s["rate"]):
        if not step["sustained"]:
            break
        best = step["rate"]
    return best
