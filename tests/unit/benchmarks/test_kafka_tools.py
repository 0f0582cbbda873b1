import pytest

from benchmarks.kafka_tools import parse_consumer_output, parse_producer_output

PRODUCER = """Reading payloads from: /tmp/p.txt
Number of messages read: 2000
9001 records sent, 1800.2 records/sec (1.70 MB/sec), 900.10 ms avg latency, 1500.00 ms max latency.
20000 records sent, 5773.7 records/sec (6.09 MB/sec), 1032.88 ms avg latency, 2214.00 ms max \
latency, 986 ms 50th, 2011 ms 95th, 2190 ms 99th, 2213 ms 99.9th.
"""

CONSUMER = """start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, \
nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-11-29 05:34:59:612, 2026-11-29 05:35:00:929, 21.0874, 16.0117, 20000, 15186.0289, 837, \
480, 43.9322, 41666.6667
"""


def test_producer_figures_come_from_the_final_summary_not_interim_lines():
    figures = parse_producer_output(PRODUCER)
    assert figures["messages"] == 20000
    assert figures["messages_per_second"] == 5773.7
    assert figures["mb_per_second"] == 6.09
    assert figures["p99_latency_ms"] == 2190


def test_consumer_figures_are_read_by_column_name():
    figures = parse_consumer_output(CONSUMER)
    assert figures["messages"] == 20000
    assert figures["messages_per_second"] == pytest.approx(15186.0289)
    assert figures["mb_per_second"] == pytest.approx(16.0117)
    assert figures["fetch_messages_per_second"] == pytest.approx(41666.6667)
    assert figures["rebalance_ms"] == 837


def test_output_without_a_summary_is_an_error_not_a_zero_rate():
    with pytest.raises(ValueError):
        parse_producer_output("Reading payloads from: x\n")
    with pytest.raises(ValueError):
        parse_consumer_output("WARN something\n")
