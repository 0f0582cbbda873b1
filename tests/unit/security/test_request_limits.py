"""Request limits every API enforces: the body size (413) and the page size (4xx)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import AsyncIterator

import httpx
import pytest

from shared.auth import mint_local_token
from tests.unit.security.apps import SERVICES, service_app

LIMIT = 4096


def _client(app, settings) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    token = mint_local_token(settings, roles=["admin"])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t",
                             headers={"Authorization": f"Bearer {token}"})


def _operations(app, method: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(path for path, item in app.openapi()["paths"].items()
                  if path.startswith("/v1") and method in item)


async def _chunks(size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        yield b" " * 1024
        sent += 1024


def _assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "payload_too_large"
    assert str(LIMIT) in response.json()["message"]


@pytest.mark.parametrize("service", SERVICES)
async def test_every_write_refuses_a_body_over_the_configured_limit(service: str,
                                                                    tmp_path: Path) -> None:
    async with service_app(service, tmp_path, api_max_body_bytes=LIMIT) as app:
        async with _client(app, app.state.settings) as client:
            for method in ("post", "put", "patch"):
                for path in _operations(app, method):
                    url = re.sub(r"\{[^}]+\}", "x", path)
                    body = b'{"padding": "' + b"a" * LIMIT + b'"}'
                    response = await client.request(method, url, content=body, headers={
                        "Content-Type": "application/json"})
                    _assert_too_large(response)


async def test_a_body_streamed_without_a_length_is_cut_off_at_the_limit(tmp_path: Path) -> None:
    async with service_app("crm", tmp_path, api_max_body_bytes=LIMIT) as app:
        async with _client(app, app.state.settings) as client:
            response = await client.post("/v1/complaints", content=_chunks(LIMIT * 4),
                                         headers={"Content-Type": "application/json"})
            assert "content-length" not in response.request.headers
            _assert_too_large(response)


async def test_a_body_under_the_limit_reaches_the_route(tmp_path: Path) -> None:
    async with service_app("crm", tmp_path, api_max_body_bytes=LIMIT) as app:
        async with _client(app, app.state.settings) as client:
            response = await client.post("/v1/complaints", json={"unexpected": "shape"})
            assert response.status_code == 422
            assert response.json()["code"] == "invalid_request"


async def test_a_malformed_content_length_is_a_bad_request(tmp_path: Path) -> None:
    async with service_app("crm", tmp_path) as app:
        async with _client(app, app.state.settings) as client:
            response = await client.post("/v1/complaints", content=b"{}", headers={
                "Content-Type": "application/json", "Content-Length": "2x"})
            assert response.status_code == 400
            assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("service", SERVICES)
async def test_every_list_caps_its_page_size(service: str, tmp_path: Path) -> None:
    async with service_app(service, tmp_path) as app:
        lists = []
        for path, item in app.openapi()["paths"].items():
            params = {p["name"]: p for p in item.get("get", {}).get("parameters", [])}
            if "limit" in params and "{" not in path:
                assert params["limit"]["schema"].get("maximum") == 500, f"{path} has no cap"
                lists.append(path)
        async with _client(app, app.state.settings) as client:
            for path in lists:
                too_big = await client.get(path, params={"limit": 501})
                assert too_big.status_code == 422, (path, too_big.text)
                assert too_big.json()["code"] == "invalid_request"
                assert "limit" in too_big.json()["message"]
                assert (await client.get(path, params={"limit": 500})).status_code == 200, path
