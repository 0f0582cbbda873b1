"""Turning the collected figures into ratios, target checks, a printed table and JSON files.
Pure except `write_json`."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Check:
    figure: str
    value: float | None
    unit: str
    target: str
    passed: bool | None  # None: not measured in this run


def _dig(results: dict, *path: str) -> Any:
    for key in path:
        if not isinstance(results, dict) or key not in results:
            return None
        results = results[key]
    return results


def ratios(results: dict) -> dict[str, float]:
    """Each platform rate as a share of the raw aiokafka consume rate."""
    raw = _dig(results, "raw", "aiokafka", "consume", "messages_per_second")
    if not raw:
        return {}
    rates = {
        "aiokafka_produce": _dig(results, "raw", "aiokafka", "produce", "messages_per_second"),
        "kafka_tools_produce": _dig(results, "raw", "kafka_tools", "produce",
                                    "messages_per_second"),
        "kafka_tools_consume": _dig(results, "raw", "kafka_tools", "consume",
                                    "messages_per_second"),
        "monitoring_ingest": _dig(results, "monitoring_ingest", "events_per_second"),
        "highest_sustained_end_to_end": _dig(results, "sustained", "highest_sustained_rate"),
    }
    return {name: round(rate / raw, 3) for name, rate in rates.items() if rate}


def _at_least(figure: str, value: float | None, unit: str, bound: float) -> Check:
    return Check(figure, value, unit, f">= {bound:g}",
                 None if value is None else value >= bound)


def _below(figure: str, value: float | None, unit: str, bound: float) -> Check:
    return Check(figure, value, unit, f"< {bound:g}", None if value is None else value < bound)


def checks(results: dict) -> list[Check]:
    """The issue's targets for a 2-core machine, one line each."""
    found = [
        _at_least("monitoring ingest", _dig(results, "monitoring_ingest", "events_per_second"),
                  "events/s", 10_000),
        _at_least("monitoring ingest / raw consume",
                  _dig(results, "ratios", "monitoring_ingest"), "ratio", 0.4),
        _below("ageing 1,000,000 loans", _ageing_seconds(results, "1000000"), "s", 60),
        _end_to_end(results, "warning", "e2e warning p99"),
        _end_to_end(results, "case", "e2e case visible p99"),
    ]
    for name, peaks in sorted((results.get("rss") or {}).items()):
        found.append(_below(f"peak RSS {name}", peaks["peak_process_mb"], "MB", 300))
    return found


def _end_to_end(results: dict, what: str, figure: str) -> Check:
    """No arrival at all while a backlog remained after the drain time is a failure (the
    latency is beyond the run), not a figure that was never measured."""
    run = results.get("end_to_end") or {}
    check = _below(figure, _dig(run, what, "p99_ms"), "ms", 1000)
    if check.value is None and run.get("published") and run.get("lag_left_after_drain"):
        return Check(figure, None, "ms", check.target, False)
    return check


def _ageing_seconds(results: dict, loans: str) -> float | None:
    runs = _dig(results, "ageing", loans, "runs")
    return max(run["seconds"] for run in runs) if runs else None


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def checks_table(found: list[Check]) -> str:
    verdict = {True: "pass", False: "FAIL", None: "not measured"}
    return table([("figure", "value", "unit", "target", "result")] + [
        (c.figure, _cell(c.value), c.unit, c.target, verdict[c.passed]) for c in found])


def figures_table(results: dict) -> str:
    """Every rate measured, with its share of the raw aiokafka consume rate."""
    shares = results.get("ratios", {})
    rows = [("rate", "messages/s", "MB/s", "share of raw consume")]
    for label, path, share in (
            ("aiokafka produce", ("raw", "aiokafka", "produce"), "aiokafka_produce"),
            ("aiokafka consume", ("raw", "aiokafka", "consume"), None),
            ("kafka tools produce", ("raw", "kafka_tools", "produce"), "kafka_tools_produce"),
            ("kafka tools consume", ("raw", "kafka_tools", "consume"), "kafka_tools_consume")):
        figure = _dig(results, *path) or {}
        rows.append((label, _cell(figure.get("messages_per_second")),
                     _cell(figure.get("mb_per_second")),
                     "1.000" if share is None else _cell(shares.get(share))))
    rows.append(("monitoring ingest", _cell(_dig(results, "monitoring_ingest",
                                                 "events_per_second")),
                 "-", _cell(shares.get("monitoring_ingest"))))
    for shape in (_dig(results, "monitoring_ingest", "shapes") or [])[1:]:
        rows.append((f"  {shape['loans']:,} loans x {shape['payments_per_loan']} each",
                     _cell(shape.get("events_per_second")), "-", "-"))
    rows.append(("highest sustained end-to-end",
                 _cell(_dig(results, "sustained", "highest_sustained_rate")), "-",
                 _cell(shares.get("highest_sustained_end_to_end"))))
    return table(rows)


def ageing_table(results: dict) -> str:
    """Seconds per ageing run (the first close of a never-aged book, then the next day)."""
    rows = [("ageing", "first close s", "next day s", "loans/s (slowest)")]
    for loans, figures in sorted((results.get("ageing") or {}).items(), key=lambda i: int(i[0])):
        runs = {run["run"]: run for run in figures.get("runs", [])}
        slowest = min(runs.values(), key=lambda r: r["loans_per_second"], default={})
        rows.append((f"{int(loans):,} loans",
                     _cell(runs.get("first", {}).get("seconds")),
                     _cell(runs.get("next_day", {}).get("seconds")),
                     _cell(slowest.get("loans_per_second"))))
    return table(rows)


def latency_table(results: dict) -> str:
    """End-to-end latency per run: at the target rate, and at the highest sustained rate."""
    rows = [("end to end", "input/s", "warning p50/p95/p99 ms", "case p50/p95/p99 ms")]
    for label, name in (("at the target rate", "end_to_end"),
                        ("at the highest sustained rate", "end_to_end_at_sustained_rate")):
        run = results.get(name) or {}
        rows.append((label, _cell(run.get("achieved_input_rate")),
                     _percentiles(run.get("warning")), _percentiles(run.get("case"))))
    return table(rows)


def _percentiles(figures: dict | None) -> str:
    if not figures or figures.get("p99_ms") is None:
        return "-"
    return " / ".join(_cell(figures.get(f"p{p}_ms")) for p in (50, 95, 99))


def write_json(results: dict, directory: Path, stamp: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps({**results, "checks": [asdict(c) for c in checks(results)]}, indent=2,
                      default=str)
    target = directory / f"results-{stamp}.json"
    target.write_text(text)
    (directory / "latest.json").write_text(text)
    return target
