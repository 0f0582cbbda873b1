"""Decisions take their date from a business-day clock, never from the wall clock, so a
replay on another day gives the same answers. The wall clock may only stamp records
(created_at, recorded_at, envelope and outbox times, metrics): every reading of it in
services/ and shared/ sits in a function listed here with the reason, and no code takes a
date from it (`date.today()`, `<wall clock>.date()`), since a date is a business fact."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "shared")

# "path::function" -> why the wall clock is right there. Keep it to record timestamps.
ALLOWED = {
    "services/collections/app.py::create_app":
        "the contact clock: the compliance guard judges an attempt at the real moment it is "
        "made (hours in the debtor's zone, caps, cooling-off)",
    "services/collections/service/cases.py::_now": "a case's updated_at",
    "services/collections/service/offers.py::_now":
        "an offer's proposed_at, approvals' at, decided_at",
    "services/collections/service/business_day.py::business_day_aged":
        "processed_at of a business-day row",
    "services/crm/service/care.py::create_task": "a care task's created_at",
    "services/crm/service/complaints.py::_now": "a complaint's created_at and updated_at",
    "services/crm/service/contact_stops.py::stop": "a contact stop's created_at",
    "services/crm/service/loans.py::_now": "the loan view's updated_at, case staff's assigned_at",
    "services/crm/service/restructuring.py::request": "a restructuring request's created_at",
    "services/monitoring/ageing/__init__.py::age_loans":
        "an ageing run's changed_at and updated_at stamps",
    "services/monitoring/service/business_day.py::close_business_day":
        "closed_at and aged_at of the business day (ageing runs as of the business date)",
    "services/monitoring/service/customers.py::_now": "registered_at, updated_at, recorded_at",
    "services/monitoring/fineract/apply.py::reopen": "a reopened loan's updated_at",
    "services/monitoring/service/inspections.py::_now":
        "a task's created_at, assigned_at, submitted_at; the loan's updated_at",
    "services/monitoring/service/ledger.py::_now": "a loan's updated_at, a payment's recorded_at",
    "services/monitoring/service/parking.py::park": "a parked event's parked_at",
    "services/monitoring/rebuild.py::_mark_outbox_sent":
        "sent_at of the outbox rows a rebuild derived (never relayed)",
    "services/reporting/projections/loans.py::record_repayment":
        "a repayment fact's recorded_at",
    "services/warning/service/rulesets.py::_now": "proposed_at and decided_at of a rule-set change",
    "services/warning/service/warnings.py::_now":
        "raised_at, acknowledged_at, history recorded_at, the event-to-warning latency metric",
    "shared/audit/store.py::new_entry": "an audit entry's recorded_at",
    "shared/audit/store.py::entry_statements": "the audit entry's outbox created_at",
    "shared/db/inbox.py::claim": "an inbox row's received_at",
    "shared/db/inbox.py::claim_many": "inbox rows' received_at",
    "shared/db/outbox.py::add_event": "an outbox row's created_at",
    "shared/db/outbox.py::backlog": "the age of the oldest unsent row, a metric",
    "shared/events/envelope.py::utcnow": "the envelope `time` of an event without a cause",
    "shared/kafka/dlq.py::dead_letter_headers": "the dlq.failed_at header",
    "shared/kafka/relay.py::OutboxRelay.publish_once": "an outbox row's sent_at",
}

_CLOCK_CLASSES = {"datetime", "date"}
_CLOCK_METHODS = {"now", "utcnow", "today"}


@dataclass(frozen=True)
class Reading:
    place: str
    line: int
    code: str


def _is_wall_clock(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    owner = node.func.value
    name = owner.id if isinstance(owner, ast.Name) else \
        owner.attr if isinstance(owner, ast.Attribute) else None
    return node.func.attr in _CLOCK_METHODS and name in _CLOCK_CLASSES


def _clock_helpers(tree: ast.Module) -> set[str]:
    """Module functions that only return the wall clock, like `_now`."""
    return {f.name for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
            and len(f.body) == 1 and isinstance(f.body[0], ast.Return)
            and _is_wall_clock(f.body[0].value)}


def _is_wall_date(node: ast.AST, helpers: set[str]) -> bool:
    """`date.today()`, `datetime.today()`, or `.date()` of a wall-clock reading: a direct
    one, a helper like `_now()`, or a variable named `now` (by convention the wall clock,
    e.g. collections' contact clock handed to a route)."""
    if _is_wall_clock(node) and node.func.attr == "today":  # type: ignore[attr-defined]
        return True
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "date" and not node.args):
        return False
    inner = node.func.value
    return _is_wall_clock(inner) or (isinstance(inner, ast.Name) and inner.id == "now") or (
        isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
        and inner.func.id in helpers)


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, source: str, helpers: set[str]) -> None:
        self.path, self.lines, self.helpers = path, source.splitlines(), helpers
        self.scope: list[str] = []
        self.readings: list[Reading] = []
        self.dates: list[Reading] = []

    def _enter(self, node: ast.AST) -> None:
        self.scope.append(node.name)  # type: ignore[attr-defined]
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def visit_Call(self, node: ast.Call) -> None:
        reading = Reading(f"{self.path}::{'.'.join(self.scope) or '<module>'}", node.lineno,
                          self.lines[node.lineno - 1].strip())
        if _is_wall_clock(node):
            self.readings.append(reading)
        if _is_wall_date(node, self.helpers):
            self.dates.append(reading)
        self.generic_visit(node)


def _scan() -> _Scanner:
    found = _Scanner("", "", set())
    for top in SCANNED:
        for file in sorted((ROOT / top).rglob("*.py")):
            source = file.read_text(encoding="utf-8")
            tree = ast.parse(source)
            scanner = _Scanner(file.relative_to(ROOT).as_posix(), source, _clock_helpers(tree))
            scanner.visit(tree)
            found.readings += scanner.readings
            found.dates += scanner.dates
    return found


def test_the_wall_clock_is_read_only_where_a_record_is_stamped() -> None:
    outside = [f"{r.place}:{r.line}: {r.code}" for r in _scan().readings
               if r.place not in ALLOWED]
    assert not outside, (
        "the wall clock is read outside the record-timestamp allowlist; take the date from "
        "the service's business-day clock, or, for a record timestamp, add the function to "
        "ALLOWED with the reason:\n" + "\n".join(outside))


def test_no_code_takes_a_date_from_the_wall_clock() -> None:
    dates = [f"{r.place}:{r.line}: {r.code}" for r in _scan().dates]
    assert not dates, ("a date taken from the wall clock decides something; use the "
                       "business-day clock instead:\n" + "\n".join(dates))


def test_every_allowlist_entry_still_reads_the_wall_clock() -> None:
    used = {r.place for r in _scan().readings}
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"allowlist entries that no longer read the clock: {stale}"


def test_the_scanner_sees_each_way_of_reading_the_clock() -> None:
    source = ("from datetime import date, datetime\nimport datetime as dt\n"
              "def _now():\n    return datetime.now()\n"
              "def f():\n    a = date.today()\n    b = datetime.utcnow()\n"
              "    c = dt.datetime.now().date()\n    d = _now().date()\n"
              "def route(now):\n    return now.date()\n")
    tree = ast.parse(source)
    scanner = _Scanner("x.py", source, _clock_helpers(tree))
    scanner.visit(tree)
    assert [(r.place, r.line) for r in scanner.readings] == [
        ("x.py::_now", 4), ("x.py::f", 6), ("x.py::f", 7), ("x.py::f", 8)]
    assert [r.line for r in scanner.dates] == [6, 8, 9, 11]
