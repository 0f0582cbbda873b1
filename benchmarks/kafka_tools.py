"""Kafka's own ProducerPerformance and ConsumerPerformance, run from the broker jars, as
the raw ceiling of this machine and broker; their printed summaries parsed into figures."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from shared.localinfra.kafka import DEPLOY_DIR

_PRODUCED = re.compile(
    r"(?P<records>\d+) records sent, (?P<rate>[\d.]+) records/sec \((?P<mb>[\d.]+) MB/sec\), "
    r"(?P<avg>[\d.]+) ms avg latency, (?P<max>[\d.]+) ms max latency"
    r"(?:, (?P<p50>\d+) ms 50th, (?P<p95>\d+) ms 95th, (?P<p99>\d+) ms 99th)?")


def parse_producer_output(text: str) -> dict[str, float]:
    """The final summary line (the tool also prints interim lines of the same shape while
    it runs; only the last one covers the whole run)."""
    matches = list(_PRODUCED.finditer(text))
    if not matches:
        raise ValueError("no ProducerPerformance summary in the output")
    last = matches[-1]
    figures = {"messages": int(last["records"]), "messages_per_second": float(last["rate"]),
               "mb_per_second": float(last["mb"]), "avg_latency_ms": float(last["avg"]),
               "max_latency_ms": float(last["max"])}
    for q in ("p50", "p95", "p99"):
        if last[q] is not None:
            figures[f"{q}_latency_ms"] = float(last[q])
    return figures


def parse_consumer_output(text: str) -> dict[str, float]:
    """ConsumerPerformance prints a CSV header and one row; the rates include the group
    join (rebalance.time.ms), so the fetch-only rates are kept as well."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for n, line in enumerate(lines):
        if line.startswith("start.time") and n + 1 < len(lines):
            header = [h.strip() for h in line.split(",")]
            row = dict(zip(header, (v.strip() for v in lines[n + 1].split(","))))
            try:
                return {"messages": int(row["data.consumed.in.nMsg"]),
                        "messages_per_second": float(row["nMsg.sec"]),
                        "mb_per_second": float(row["MB.sec"]),
                        "fetch_messages_per_second": float(row["fetch.nMsg.sec"]),
                        "fetch_mb_per_second": float(row["fetch.MB.sec"]),
                        "rebalance_ms": float(row["rebalance.time.ms"])}
            except (KeyError, ValueError) as exc:
                raise ValueError(f"unexpected ConsumerPerformance row: {exc}") from exc
    raise ValueError("no ConsumerPerformance summary in the output")


def _java(libs_dir: Path, main: str, *args: str) -> list[str]:
    return ["java", "-Xmx256m", f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
            "-cp", f"{libs_dir}/*", main, *args]


def _run(command: list[str], timeout: float) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{command[5]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def run_tools(libs_dir: Path, bootstrap: str, topic: str, payload_file: Path, messages: int,
              timeout: float = 300) -> dict[str, dict[str, float]]:
    """Produce `messages` records drawn from `payload_file` (one per line) with the
    platform's producer settings, then consume them back. `topic` must exist: the broker
    does not auto-create topics."""
    produced = _run(_java(
        libs_dir, "org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
        "--num-records", str(messages), "--throughput", "-1",
        "--payload-file", str(payload_file), "--producer-props",
        f"bootstrap.servers={bootstrap}", "acks=all", "enable.idempotence=true",
        "linger.ms=5"), timeout)
    consumed = _run(_java(
        libs_dir, "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server",
        bootstrap, "--topic", topic, "--messages", str(messages), "--timeout", "60000"),
        timeout)
    return {"produce": parse_producer_output(produced),
            "consume": parse_consumer_output(consumed)}
