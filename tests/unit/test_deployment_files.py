"""The Docker deployment cannot run here (no engine), so its files are checked against
the code they describe."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from shared.cli import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())


def test_the_committed_compose_file_is_what_the_generator_writes() -> None:
    import runpy

    render = runpy.run_path(str(ROOT / "deploy" / "compose_gen.py"))["render"]
    assert (ROOT / "deploy" / "docker-compose.yml").read_text() == render(), \
        "regenerate with: python deploy/compose_gen.py"


def test_every_service_runs_an_api_and_a_worker_on_its_configured_ports() -> None:
    services = _compose()["services"]
    for name in SERVICES:
        settings = importlib.import_module(f"services.{name}.config").Settings()
        api, worker = services[f"{name}-api"], services[f"{name}-worker"]
        assert api["command"] == ["python", "-m", f"services.{name}", "api"]
        assert worker["command"] == ["python", "-m", f"services.{name}", "worker"]
        assert api["ports"] == [f"{settings.api_port}:{settings.api_port}"]
        assert worker["ports"] == [f"{settings.worker_ops_port}:{settings.worker_ops_port}"]
        assert f"{name.upper()}_DATABASE_URL" in api["environment"]
        importlib.import_module(f"services.{name}.__main__")


def test_compose_runs_the_same_kafka_version_as_the_local_broker() -> None:
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom).group(1)
    assert _compose()["services"]["kafka"]["image"] == f"apache/kafka:{version}"


def test_every_service_database_is_created_and_every_process_is_scraped() -> None:
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    scrape = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = {t for job in scrape["scrape_configs"] for cfg in job["static_configs"]
               for t in cfg["targets"]}
    for name in SERVICES:
        settings = importlib.import_module(f"services.{name}.config").Settings()
        assert f"CREATE DATABASE {name};" in init
        assert f"{name}-api:{settings.api_port}" in targets
        assert f"{name}-worker:{settings.worker_ops_port}" in targets


def test_the_image_installs_the_package_and_its_default_command_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "constraints.txt" in dockerfile
    assert "FROM python:3.11" in dockerfile
