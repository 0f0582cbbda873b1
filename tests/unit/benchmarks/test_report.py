import json

from benchmarks import report


def _results(**overrides):
    results = {
        "raw": {"aiokafka": {"consume": {"messages_per_second": 20000.0},
                             "produce": {"messages_per_second": 5000.0}}},
        "monitoring_ingest": {"events_per_second": 12000.0},
        "ageing": {"1000000": {"runs": [{"seconds": 41.0}, {"seconds": 58.5}]}},
        "end_to_end": {"warning": {"p99_ms": 640.0}, "case": {"p99_ms": 1200.0}},
        "sustained": {"highest_sustained_rate": 1000},
        "rss": {"monitoring-worker": {"peak_process_mb": 180.0, "peak_tree_mb": 180.0},
                "kafka broker": {"peak_process_mb": 420.0, "peak_tree_mb": 420.0}},
    }
    results.update(overrides)
    results["ratios"] = report.ratios(results)
    return results


def _verdicts(results):
    return {c.figure: c.passed for c in report.checks(results)}


def test_rates_are_quoted_as_shares_of_the_raw_aiokafka_consume_rate():
    ratios = report.ratios(_results())
    assert ratios["monitoring_ingest"] == 0.6
    assert ratios["aiokafka_produce"] == 0.25
    assert ratios["highest_sustained_end_to_end"] == 0.05


def test_ingest_passes_at_ten_thousand_events_and_forty_percent_of_raw():
    verdicts = _verdicts(_results())
    assert verdicts["monitoring ingest"] is True
    assert verdicts["monitoring ingest / raw consume"] is True
    slow = _verdicts(_results(monitoring_ingest={"events_per_second": 7000.0}))
    assert slow["monitoring ingest"] is False
    assert slow["monitoring ingest / raw consume"] is False


def test_ageing_target_uses_the_slowest_run_of_a_million_loans():
    assert _verdicts(_results())["ageing 1,000,000 loans"] is True
    slow = {"1000000": {"runs": [{"seconds": 30.0}, {"seconds": 61.0}]}}
    assert _verdicts(_results(ageing=slow))["ageing 1,000,000 loans"] is False


def test_end_to_end_p99_must_stay_under_one_second_for_warnings_and_cases():
    verdicts = _verdicts(_results())
    assert verdicts["e2e warning p99"] is True
    assert verdicts["e2e case visible p99"] is False


def test_every_watched_process_is_checked_against_300_mb():
    verdicts = _verdicts(_results())
    assert verdicts["peak RSS monitoring-worker"] is True
    assert verdicts["peak RSS kafka broker"] is False


def test_a_figure_not_measured_is_neither_pass_nor_fail():
    results = _results(ageing={"100000": {"runs": [{"seconds": 3.0}]}},
                       monitoring_ingest={"error": "RuntimeError: broker gone"})
    verdicts = _verdicts(results)
    assert verdicts["ageing 1,000,000 loans"] is None
    assert verdicts["monitoring ingest"] is None
    assert "not measured" in report.checks_table(report.checks(results))


def test_checks_table_shows_target_and_verdict_per_figure():
    text = report.checks_table(report.checks(_results()))
    line = next(l for l in text.splitlines() if l.startswith("e2e case visible p99"))
    assert "< 1000" in line and "FAIL" in line


def test_results_are_written_stamped_and_as_latest(tmp_path):
    path = report.write_json(_results(), tmp_path, "20260101T000000Z")
    assert path.name == "results-20260101T000000Z.json"
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest == json.loads(path.read_text())
    assert any(c["figure"] == "monitoring ingest" for c in latest["checks"])


def test_no_arrivals_while_a_backlog_remains_fails_the_latency_target():
    stuck = {"published": 10000, "lag_left_after_drain": 7000,
             "warning": {"p99_ms": None}, "case": {"p99_ms": None}}
    verdicts = _verdicts(_results(end_to_end=stuck))
    assert verdicts["e2e warning p99"] is False
    assert verdicts["e2e case visible p99"] is False
    drained = {**stuck, "lag_left_after_drain": 0}
    assert _verdicts(_results(end_to_end=drained))["e2e warning p99"] is None


def test_ageing_table_lists_each_size_with_both_runs():
    ageing = {"100000": {"runs": [
        {"run": "first", "seconds": 8.4, "loans_per_second": 11911},
        {"run": "next_day", "seconds": 3.2, "loans_per_second": 31157}]}}
    text = report.ageing_table({"ageing": ageing})
    line = next(l for l in text.splitlines() if l.startswith("100,000 loans"))
    assert "8.400" in line and "3.200" in line and "11,911" in line


def test_each_ingest_shape_is_listed_with_the_first_as_the_headline():
    results = _results(monitoring_ingest={"events_per_second": 900.0, "shapes": [
        {"loans": 10000, "payments_per_loan": 1, "events_per_second": 900.0},
        {"loans": 1000, "payments_per_loan": 10, "events_per_second": 700.5}]})
    printed = report.figures_table(results)
    assert "1,000 loans x 10 each" in printed and "700.5" in printed
    assert _verdicts(results)["monitoring ingest"] is False


def test_latency_is_listed_at_the_target_rate_and_at_the_highest_sustained_rate():
    results = _results(
        end_to_end={"achieved_input_rate": 500.0, "warning": {
            "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 170000.0}, "case": {"p99_ms": None}},
        end_to_end_at_sustained_rate={"achieved_input_rate": 100.0, "warning": {
            "p50_ms": 310.0, "p95_ms": 620.0, "p99_ms": 880.5}})
    lines = report.latency_table(results).splitlines()
    target = next(line for line in lines if line.startswith("at the target rate"))
    sustained = next(line for line in lines if line.startswith("at the highest sustained"))
    assert "170,000.0" in target and target.rstrip().endswith("-")
    assert "100.0" in sustained and "310.0 / 620.0 / 880.5" in sustained
