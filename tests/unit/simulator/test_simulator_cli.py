"""`postloan simulate --dry-run` counts without Kafka."""
from __future__ import annotations

import argparse

from shared.simulator.cli import add_simulate_command, main


def test_simulate_command_registers_its_options() -> None:
    parser = argparse.ArgumentParser()
    add_simulate_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["simulate", "--loans", "5", "--days", "3", "--start", "2026-05-01",
                              "--seed", "9", "--rate", "50", "--bootstrap", "h:1", "--dry-run"])
    assert (args.loans, args.days, str(args.start), args.seed, args.rate, args.bootstrap,
            args.dry_run) == (5, 3, "2026-05-01", 9, 50.0, "h:1", True)


def test_dry_run_prints_counts_per_event_type(capsys) -> None:
    assert main(["simulate", "--loans", "10", "--days", "5", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "bank.business-day.closed.v1" in out and "bank.loan.disbursed.v1" in out
    assert "for 10 loans over 5 days" in out
