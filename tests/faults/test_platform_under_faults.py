"""The whole platform on real Kafka and PostgreSQL, with every worker a real process, fed
the same seeded bank twice: once without faults, once while workers are SIGKILLed and
SIGTERMed, the broker and the database restart, events are duplicated and reordered
within the contract, poison arrives on every consumed topic and a consumer runs slow.
The faulty run must end in exactly the fault-free run's state."""
from __future__ import annotations

from collections import Counter

from tests.faults.poison import dead_letter_problems
from tests.faults.scenario import SLOW_SERVICE, RunResult
from tests.faults.snapshot import diff, row_count


def _context(run: RunResult, seed: int) -> str:
    return (f"\nPOSTLOAN_FAULT_SEED={seed}; faults injected:\n  " + "\n  ".join(run.log)
            + f"\nworker logs: {run.logs_dir}")


def _open_cases_by_customer(run: RunResult) -> Counter:
    table = run.state["collections.collection_case"]
    customer, status = table.columns.index("customer_id"), table.columns.index("status")
    return Counter({row[customer]: n for row, n in table.rows.items() if row[status] == "open"})


def _delinquent_customers(run: RunResult) -> set[str]:
    table = run.state["monitoring.loan"]
    cols = table.columns
    return {row[cols.index("customer_id")] for row in table.rows
            if row[cols.index("status")] == "active" and int(row[cols.index("dpd")]) >= 1}


def test_the_fault_free_run_has_delinquency_cases_warnings_and_no_dead_letters(
        baseline: RunResult) -> None:
    # Otherwise comparing with it would prove little.
    assert not baseline.log, f"the fault-free run did not settle: {baseline.log}"
    assert _delinquent_customers(baseline), "the seed should produce delinquent customers"
    assert row_count(baseline.state, "collections.collection_case") > 0
    assert row_count(baseline.state, "warning.warning") > 0
    assert not any(baseline.dead_letters.values()), dead_letter_problems([], baseline.dead_letters)


def test_after_kills_restarts_duplicates_reordering_poison_and_lag_the_state_equals_the_fault_free_run(
        baseline: RunResult, faulty: RunResult, fault_seed: int) -> None:
    difference = diff(baseline.state, faulty.state)
    assert not difference, "state differs from the fault-free run:\n" + difference + \
        _context(faulty, fault_seed)


def test_every_poison_record_is_dead_lettered_with_its_reason_and_no_good_record_is(
        faulty: RunResult, fault_seed: int) -> None:
    assert faulty.poison, "the plan injects poison"
    problems = dead_letter_problems(faulty.poison, faulty.dead_letters)
    assert not problems, "\n".join(problems) + _context(faulty, fault_seed)


def test_each_delinquent_customer_has_exactly_one_open_case_and_no_warning_is_raised_twice(
        faulty: RunResult, fault_seed: int) -> None:
    cases = _open_cases_by_customer(faulty)
    delinquent = _delinquent_customers(faulty)
    assert delinquent <= set(cases), f"without a case: {delinquent - set(cases)}"
    assert all(n == 1 for n in cases.values()), f"several open cases: {cases}"
    table = faulty.state["warning.warning"]
    cols = table.columns
    keys = Counter((row[cols.index("loan_id")], row[cols.index("rule_id")],
                    row[cols.index("raised_date")]) for row in table.rows.elements())
    twice = {k: n for k, n in keys.items() if n > 1}
    assert not twice, f"warnings raised more than once: {twice}" + _context(faulty, fault_seed)


def test_after_the_faults_every_outbox_is_empty_and_every_lag_is_zero(
        faulty: RunResult, fault_seed: int) -> None:
    assert faulty.final_outbox and not any(faulty.final_outbox.values()), \
        f"outbox backlog: {faulty.final_outbox}" + _context(faulty, fault_seed)
    assert faulty.final_lags and all(v == 0 for v in faulty.final_lags.values()), \
        f"consumer lag: {faulty.final_lags}" + _context(faulty, fault_seed)


def test_sigterm_drains_in_flight_work_and_exits_zero(faulty: RunResult, fault_seed: int) -> None:
    # Exactly-once of the drained records is the state comparison above.
    assert faulty.sigterm_exit_codes, "the plan sends SIGTERM"
    assert all(code == 0 for code in faulty.sigterm_exit_codes.values()), \
        f"exit codes after SIGTERM: {faulty.sigterm_exit_codes}" + _context(faulty, fault_seed)


def test_a_slow_consumer_builds_lag_and_catches_up(faulty: RunResult, fault_seed: int) -> None:
    assert faulty.slow_lag_peak > 0, f"{SLOW_SERVICE} never lagged while slowed" + \
        _context(faulty, fault_seed)
    assert faulty.final_lags[SLOW_SERVICE] == 0, _context(faulty, fault_seed)
