import pytest

from benchmarks.pacing import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _take(bucket: TokenBucket, clock: Clock) -> None:
    while (pause := bucket.wait_time()) > 0:
        clock.now += pause


def test_token_bucket_holds_publishing_to_its_rate():
    clock = Clock()
    bucket = TokenBucket(100, burst=1, clock=clock)
    for _ in range(1001):
        _take(bucket, clock)
    assert clock.now == pytest.approx(10.0)


def test_token_bucket_catches_up_after_a_stall_by_at_most_its_burst():
    clock = Clock()
    bucket = TokenBucket(100, burst=5, clock=clock)
    clock.now = 60.0  # a long stall: a minute's worth of tokens must not pile up
    free = 0
    while bucket.wait_time() == 0:
        free += 1
    assert free == 5


def test_token_bucket_refuses_a_non_positive_rate():
    with pytest.raises(ValueError):
        TokenBucket(0)
