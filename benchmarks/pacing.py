"""A token bucket for publishing at a fixed rate with a bounded burst."""
from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens per second accrue up to `burst`; taking one waits until it exists.
    The bounded burst matters: after a stall the publisher may catch up by at most `burst`
    events at once (by default 200 ms worth: enough to ride out a late wake-up on a busy
    machine), so the input stays close to the fixed rate the latency is quoted at."""

    def __init__(self, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 5)
        self._clock = clock
        self._tokens = 1.0
        self._at = clock()

    def wait_time(self) -> float:
        """Seconds until a token is available (0 when one is); takes it when available."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        # The tolerance keeps float rounding (0.9999999 tokens after exactly 1/rate seconds)
        # from asking for a wait too short for the clock to ever advance by.
        if self._tokens >= 1 - 1e-9:
            self._tokens = max(0.0, self._tokens - 1)
            return 0.0
        return (1 - self._tokens) / self.rate
