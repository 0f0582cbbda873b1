"""Bearer tokens and role checks: who may call what."""
from __future__ import annotations

import time

import httpx
import jwt
import pytest
from fastapi import APIRouter, Depends

from shared.api.app import create_service_app
from shared.auth import Role, mint_local_token, require_roles
from shared.config import DEFAULT_JWT_SECRET, CommonSettings

router = APIRouter()


@router.get("/things", dependencies=[Depends(require_roles(Role.risk_officer))])
async def things() -> dict[str, str]:
    return {"ok": "yes"}


def _settings(tmp_path) -> CommonSettings:  # type: ignore[no-untyped-def]
    return CommonSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/auth.db")


async def _get(settings: CommonSettings, token: str | None) -> httpx.Response:
    app = create_service_app(settings, title="t", description="t", routers=[router])
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/v1/things", headers=headers)


async def test_a_call_without_a_token_is_refused_with_401_and_the_error_shape(tmp_path) -> None:
    response = await _get(_settings(tmp_path), None)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.json()["message"]


async def test_a_caller_without_the_required_role_gets_403(tmp_path) -> None:
    settings = _settings(tmp_path)
    response = await _get(settings, mint_local_token(settings, roles=["collector"]))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_the_required_role_and_admin_are_admitted(tmp_path) -> None:
    settings = _settings(tmp_path)
    for role in ("risk_officer", "admin"):
        response = await _get(settings, mint_local_token(settings, roles=[role]))
        assert response.status_code == 200, role


async def test_expired_tokens_and_foreign_audiences_are_refused(tmp_path) -> None:
    settings = _settings(tmp_path)
    now = int(time.time())
    base = {"sub": "u", "roles": ["risk_officer"], "iss": settings.jwt_issuer}
    expired = jwt.encode({**base, "aud": settings.jwt_audience, "exp": now - 10},
                         settings.jwt_secret, algorithm="HS256")
    foreign = jwt.encode({**base, "aud": "another-system", "exp": now + 60},
                         settings.jwt_secret, algorithm="HS256")
    forged = jwt.encode({**base, "aud": settings.jwt_audience, "exp": now + 60},
                        "not-the-secret", algorithm="HS256")
    for token in (expired, foreign, forged):
        assert (await _get(settings, token)).status_code == 401


def test_the_default_secret_is_refused_outside_local_runs() -> None:
    with pytest.raises(ValueError, match="refused outside local runs"):
        CommonSettings(environment="production", jwt_secret=DEFAULT_JWT_SECRET)
    CommonSettings(environment="production", jwt_secret="x" * 40)


def test_service_settings_take_their_own_prefix_before_the_platform_one(monkeypatch) -> None:
    from services.monitoring.config import Settings

    monkeypatch.setenv("POSTLOAN_KAFKA_BOOTSTRAP_SERVERS", "platform:9092")
    monkeypatch.setenv("POSTLOAN_DATABASE_URL", "sqlite+aiosqlite:///platform.db")
    monkeypatch.setenv("MONITORING_DATABASE_URL", "sqlite+aiosqlite:///monitoring.db")
    settings = Settings()
    assert settings.kafka_bootstrap_servers == "platform:9092"
    assert settings.database_url == "sqlite+aiosqlite:///monitoring.db"
