"""Rules as data: a change proposed by one risk officer takes effect only when a different
risk officer approves it; the changed rule gets a new version that its warnings record."""
from __future__ import annotations

from datetime import date

import pytest

from shared.api.errors import Conflict, Forbidden, Unprocessable
from shared.auth import Principal, Role
from services.warning.service import rulesets
from services.warning.config import Settings
from services.warning.domain.catalogue import default_rule_set
from services.warning.domain.rulesets import RuleChange, RuleSetError, apply_changes
from tests.support import warning as ev
from tests.support.warning import WarningHarness

ALICE = Principal("alice", frozenset({Role.risk_officer}))
BOB = Principal("bob", frozenset({Role.risk_officer}))
D0 = date(2026, 5, 1)


def test_a_changed_rule_gets_the_next_version_and_others_keep_theirs() -> None:
    base = default_rule_set(Settings())
    changed = apply_changes(base, {"EXT_COLLATERAL_LTV": RuleChange(params={"max_ltv": "0.70"})},
                            segment="mortgage", latest_versions={"EXT_COLLATERAL_LTV": 3})
    assert changed.rules["EXT_COLLATERAL_LTV"].version == 4
    assert changed.rules["EXT_COLLATERAL_LTV"].params["max_ltv"] == "0.70"
    assert changed.rules["BEH_DPD"].version == 1 and changed.version == 1


@pytest.mark.parametrize("change,code", [
    (RuleChange(params={"nope": 1}), "unknown_parameter"),
    (RuleChange(level="purple"), "invalid_level"),
    (RuleChange(level="orange"), "no_effect")])
def test_invalid_changes_are_refused(change: RuleChange, code: str) -> None:
    with pytest.raises(RuleSetError) as caught:
        apply_changes(default_rule_set(Settings()), {"EXT_COLLATERAL_LTV": change}, segment="x")
    assert caught.value.code == code


async def _propose(harness: WarningHarness, segment: str = "consumer", by: Principal = ALICE):  # type: ignore[no-untyped-def]
    async with harness.sessions() as session, session.begin():
        return await rulesets.propose(
            session, segment=segment, comment="tighten LTV for consumer loans", principal=by,
            changes={"EXT_COLLATERAL_LTV": RuleChange(level="red", params={"max_ltv": "0.70"})},
            settings=harness.settings)


async def _approve(harness: WarningHarness, proposal_id: int, by: Principal):  # type: ignore[no-untyped-def]
    async with harness.sessions() as session, session.begin():
        return await rulesets.approve(session, proposal_id=proposal_id, principal=by)


async def test_a_proposal_has_no_effect_until_approved(harness: WarningHarness) -> None:
    await _propose(harness)
    await harness.feed(ev.registered(), ev.revalued("0.75", D0))
    assert await harness.rules_fired() == {}


async def test_the_proposer_cannot_approve_their_own_change(harness: WarningHarness) -> None:
    proposal = await _propose(harness)
    with pytest.raises(Forbidden) as caught:
        await _approve(harness, proposal.id, ALICE)
    assert caught.value.code == "same_officer"


async def test_a_second_officer_approval_puts_the_change_in_force(harness: WarningHarness) -> None:
    proposal = await _propose(harness)
    approved = await _approve(harness, proposal.id, BOB)
    assert approved.status == "active" and approved.decided_by == "bob"
    await harness.feed(ev.registered(), ev.registered("L-2", "C-2", product="mortgage"),
                       ev.revalued("0.75", D0), ev.revalued("0.75", D0, loan_id="L-2",
                                                            customer_id="C-2"))
    warning = (await harness.warnings(rule_id="EXT_COLLATERAL_LTV"))[0]
    assert (warning.loan_id, warning.level, warning.rule_version) == ("L-1", "red", 2)
    assert (warning.rule_set, warning.rule_set_version) == ("consumer", 1)
    assert warning.evidence["threshold"] == "0.70"
    with pytest.raises(Conflict):
        await _approve(harness, proposal.id, BOB)


async def test_an_approved_default_change_applies_to_products_without_their_own_set(
        harness: WarningHarness) -> None:
    proposal = await _propose(harness, segment="default")
    await _approve(harness, proposal.id, BOB)
    await harness.feed(ev.registered(product="sme"), ev.revalued("0.75", D0))
    assert await harness.rules_fired() == {"EXT_COLLATERAL_LTV": "red"}


async def test_a_stale_proposal_cannot_replace_a_newer_rule_set(harness: WarningHarness) -> None:
    first, second = await _propose(harness), await _propose(harness)
    await _approve(harness, second.id, BOB)
    with pytest.raises(Conflict) as caught:
        await _approve(harness, first.id, BOB)
    assert caught.value.code == "stale_proposal"


async def test_an_unknown_rule_in_a_proposal_is_unprocessable(harness: WarningHarness) -> None:
    async with harness.sessions() as session, session.begin():
        with pytest.raises(Unprocessable):
            await rulesets.propose(session, segment="x", comment="", principal=ALICE,
                                   changes={"NOPE": RuleChange(level="red")},
                                   settings=harness.settings)
