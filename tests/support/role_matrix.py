"""The role matrix: which roles each /v1 operation admits, observed by calling it.

`python -m tests.support.role_matrix` rewrites docs/role-matrix.json from the code; the test
in tests/unit/test_role_matrix.py fails when the code and the committed matrix differ."""
from __future__ import annotations

import asyncio
import importlib
import json
import re
import tempfile
from pathlib import Path

import httpx

from shared.auth import Role, mint_local_token
from shared.cli import SERVICES
from tests.support.services import migrate

MATRIX_FILE = Path(__file__).resolve().parents[2] / "docs" / "role-matrix.json"
PUBLIC = {("reporting", "POST /v1/login")}


def operations(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    paths = app.openapi()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items()
                  if path.startswith("/v1") for method in item)


async def observe(service: str, scratch: Path) -> dict[str, object]:
    settings = importlib.import_module(f"services.{service}.config").Settings(
        database_url=f"sqlite+aiosqlite:///{scratch}/{service}.db")
    await migrate(service, settings.database_url)
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    tokens = {r.value: mint_local_token(settings, roles=[r.value]) for r in Role}
    matrix: dict[str, object] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for method, path in operations(app):
                url = re.sub(r"\{[^}]+\}", "x", path)
                key = f"{method} {path}"
                anonymous = (await client.request(method, url, json={})).status_code
                admitted = []
                for role, token in tokens.items():
                    status = (await client.request(method, url, json={}, headers={
                        "Authorization": f"Bearer {token}"})).status_code
                    if status not in (401, 403):
                        admitted.append(role)
                matrix[key] = {"without_token": anonymous, "roles": admitted}
    return matrix


async def observe_all() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        return {service: await observe(service, Path(scratch)) for service in SERVICES}


def render(matrix: dict[str, object]) -> str:
    return json.dumps(matrix, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    MATRIX_FILE.write_text(render(asyncio.run(observe_all())))
    print(f"wrote {MATRIX_FILE}")
