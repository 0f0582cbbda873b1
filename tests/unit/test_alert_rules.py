"""The alert rules in deploy/prometheus are valid and behave as their unit tests say
(`promtool check rules` / `promtool test rules`), and every alert has a test that shows it
firing and one that shows it staying quiet."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from shared.localinfra.prometheus import (
    ALERT_RULES, DEPLOY_DIR, LOCAL_CONFIG, PrometheusBinaries, PrometheusUnavailable,
    ensure_binaries,
)

RULE_TESTS = sorted((DEPLOY_DIR / "tests").glob("*.yml"))


@pytest.fixture(scope="module")
def binaries() -> PrometheusBinaries:
    try:
        return ensure_binaries()
    except PrometheusUnavailable as exc:
        pytest.skip(f"promtool cannot be obtained on this machine: {exc}")


def _promtool(binaries: PrometheusBinaries, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(binaries.promtool), *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=DEPLOY_DIR)


def _alert_names() -> set[str]:
    rules = yaml.safe_load(ALERT_RULES.read_text())
    return {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}


def test_the_alert_rules_pass_promtool_check(binaries: PrometheusBinaries) -> None:
    done = _promtool(binaries, "check", "rules", ALERT_RULES)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.local.yml"])
def test_the_scrape_configs_pass_promtool_check(binaries: PrometheusBinaries, config: str) -> None:
    done = _promtool(binaries, "check", "config", DEPLOY_DIR / config)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("rule_test", RULE_TESTS, ids=[p.name for p in RULE_TESTS])
def test_the_alert_rule_unit_tests_pass(binaries: PrometheusBinaries, rule_test: Path) -> None:
    done = _promtool(binaries, "test", "rules", rule_test)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_is_tested_firing_and_quiet() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    alerts = _alert_names()
    assert alerts - firing == set(), "alerts never shown firing"
    assert alerts - quiet == set(), "alerts never shown staying quiet"


def test_the_local_scrape_config_covers_the_same_processes_as_compose() -> None:
    def targets(config: Path) -> dict[tuple[str, str], str]:
        jobs = yaml.safe_load(config.read_text())["scrape_configs"]
        return {(job["job_name"], group["labels"]["service"]): group["targets"][0].split(":")[1]
                for job in jobs for group in job["static_configs"]}

    assert targets(LOCAL_CONFIG) == targets(DEPLOY_DIR / "prometheus.yml")
