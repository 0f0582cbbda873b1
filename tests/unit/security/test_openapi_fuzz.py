"""Hostile input generated from each service's own OpenAPI document: every /v1 operation is
called with generated paths, queries and bodies (valid and invalid) as admin. No answer may
be a server error, and every answer must match what the document promises (status code,
content type, response schema)."""
from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from shared.auth import mint_local_token
from tests.support.services import migrate
from tests.unit.security.apps import SERVICES, service_settings

EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _operations(schema):  # type: ignore[no-untyped-def]
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/v1"):
            yield operation


def _fuzz(operation, headers: dict[str, str], mode: GenerationMode) -> None:  # type: ignore[no-untyped-def]
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              derandomize=True, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    call()


@pytest.mark.parametrize("service", SERVICES)
def test_generated_requests_get_no_server_error_and_answers_match_the_schema(
    service: str, tmp_path: Path,
) -> None:
    config = service_settings(service, tmp_path)
    asyncio.run(migrate(service, config.database_url))
    app = importlib.import_module(f"services.{service}.app").create_app(config)
    headers = {"Authorization": f"Bearer {mint_local_token(config, roles=['admin'])}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = []
    for operation in _operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, headers, mode)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to break
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report them all
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
