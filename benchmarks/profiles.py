"""Sizes of a benchmark run: the default (about 15 minutes on 2 cores) and a quick one."""
from __future__ import annotations

from dataclasses import dataclass

# The simulator's feed over 400 days holds about 19 events per loan (loans mature and
# leave the book), measured on the seeded feed.
EVENTS_PER_LOAN = 19
FEED_DAYS = 400


@dataclass(frozen=True)
class Profile:
    name: str
    raw_messages: int
    ageing_loans: tuple[int, ...]
    # (loans, repayments per loan); the first is the headline figure: a batch window
    # brings one repayment result per loan. The second repeats loans within a batch.
    ingest_shapes: tuple[tuple[int, int], ...]
    e2e_rate: float
    e2e_seconds: float
    drain_timeout: float
    step_rates: tuple[float, ...]
    step_seconds: float
    step_settle: float

    def feed_events(self) -> int:
        return int(self.e2e_rate * self.e2e_seconds
                   + sum(rate * self.step_seconds for rate in self.step_rates))

    def feed_loans(self) -> int:
        """Enough loans that the feed does not run dry before the last step, with margin."""
        return max(1000, int(self.feed_events() * 1.3 / EVENTS_PER_LOAN))


FULL = Profile(name="full", raw_messages=100_000, ageing_loans=(100_000, 1_000_000),
               ingest_shapes=((10_000, 1), (1000, 10)),
               e2e_rate=500, e2e_seconds=90, drain_timeout=120,
               step_rates=(25, 50, 100, 250, 500, 1000), step_seconds=20, step_settle=20)
QUICK = Profile(name="quick", raw_messages=20_000, ageing_loans=(100_000,),
                ingest_shapes=((2000, 1), (200, 10)),
                e2e_rate=500, e2e_seconds=20, drain_timeout=40,
                step_rates=(25, 50, 100), step_seconds=8, step_settle=10)
