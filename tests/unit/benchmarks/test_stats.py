import pytest

from benchmarks import stats


def test_percentile_is_an_observed_value_by_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert stats.percentile(values, 50) == 50.0
    assert stats.percentile(values, 95) == 95.0
    assert stats.percentile(values, 99) == 99.0
    assert stats.percentile(values, 100) == 100.0


def test_p99_of_few_samples_is_the_worst_sample():
    assert stats.percentile([0.3, 0.1, 0.9, 0.2], 99) == 0.9


def test_percentile_does_not_depend_on_input_order():
    assert stats.percentile([5.0, 1.0, 3.0], 50) == stats.percentile([1.0, 3.0, 5.0], 50) == 3.0


def test_percentile_refuses_empty_samples_and_out_of_range_q():
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1.0], 101)


def test_latency_summary_reports_milliseconds():
    summary = stats.latency_summary([0.010, 0.020, 0.030, 1.5])
    assert summary == {"count": 4, "p50_ms": 20.0, "p95_ms": 1500.0, "p99_ms": 1500.0,
                       "max_ms": 1500.0}


def test_latency_summary_without_samples_has_no_figures():
    assert stats.latency_summary([])["p99_ms"] is None


def test_lag_slope_is_positive_when_lag_keeps_growing():
    growing = [(t, 100 * t) for t in range(10)]
    assert stats.lag_slope(growing) == pytest.approx(100)
    flat = [(t, 5) for t in range(10)]
    assert stats.lag_slope(flat) == 0


def test_rate_is_sustained_only_when_backlog_drains_to_about_a_second_of_input():
    assert stats.sustained(drained_lag=0, rate=500)
    assert stats.sustained(drained_lag=400, rate=500)
    assert not stats.sustained(drained_lag=5000, rate=500)


def test_highest_sustained_rate_stops_at_the_first_failing_step():
    steps = [{"rate": 250, "sustained": True}, {"rate": 1000, "sustained": True},
             {"rate": 500, "sustained": True}, {"rate": 2000, "sustained": False},
             {"rate": 4000, "sustained": True}]
    assert stats.highest_sustained(steps) == 1000
    assert stats.highest_sustained([{"rate": 250, "sustained": False}]) is None
