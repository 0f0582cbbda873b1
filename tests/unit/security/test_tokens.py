"""Token verification: RS256 against a JWKS document served locally, and the checks every
token must pass (signature and key id, issuer, audience, expiry, algorithm)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Depends
from jwt.algorithms import RSAAlgorithm

from shared.api.app import create_service_app
from shared.auth import Role, require_roles
from shared.config import DEFAULT_JWT_SECRET, CommonSettings

KID = "postloan-test-key"
router = APIRouter()


@router.get("/things", dependencies=[Depends(require_roles(Role.risk_officer))])
async def things() -> dict[str, str]:
    return {"ok": "yes"}


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _private_key()
OTHER_KEY = _private_key()


def _jwks_document() -> bytes:
    public = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    return json.dumps({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()


class _JwksHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
        body = _jwks_document()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(tmp_path, jwks_url: str) -> CommonSettings:  # type: ignore[no-untyped-def]
    return CommonSettings(environment="production", jwt_algorithm="RS256", jwt_jwks_url=jwks_url,
                          jwt_issuer="https://idp.bank.example", jwt_audience="postloan-api",
                          database_url=f"sqlite+aiosqlite:///{tmp_path}/auth.db")


def _claims(settings: CommonSettings, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {"sub": "officer-1", "roles": ["risk_officer"], "iat": now,
                                 "exp": now + 300, "iss": settings.jwt_issuer,
                                 "aud": settings.jwt_audience}
    claims.update(overrides)
    return claims


def _rs256(claims: dict[str, object], *, key: rsa.RSAPrivateKey = SIGNING_KEY,
           kid: str = KID) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


async def _status(settings: CommonSettings, token: str) -> int:
    app = create_service_app(settings, title="t", description="t", routers=[router])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/v1/things", headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 401:
        assert response.json()["code"] == "unauthenticated"
    return response.status_code


async def test_an_rs256_token_signed_by_a_published_key_is_admitted(settings: CommonSettings) -> None:
    assert await _status(settings, _rs256(_claims(settings))) == 200


async def test_a_token_whose_key_id_is_not_in_the_key_set_is_refused(settings: CommonSettings) -> None:
    assert await _status(settings, _rs256(_claims(settings), kid="someone-elses-key")) == 401


async def test_a_token_signed_by_another_key_under_a_published_key_id_is_refused(settings: CommonSettings) -> None:
    assert await _status(settings, _rs256(_claims(settings), key=OTHER_KEY)) == 401


async def test_a_token_from_another_issuer_is_refused(settings: CommonSettings) -> None:
    assert await _status(settings, _rs256(_claims(settings, iss="https://evil.example"))) == 401


async def test_a_token_without_an_issuer_is_refused(settings: CommonSettings) -> None:
    claims = _claims(settings)
    del claims["iss"]
    assert await _status(settings, _rs256(claims)) == 401


async def test_a_token_for_another_audience_is_refused(settings: CommonSettings) -> None:
    assert await _status(settings, _rs256(_claims(settings, aud="another-system"))) == 401


async def test_an_expired_token_is_refused(settings: CommonSettings) -> None:
    now = int(time.time())
    expired = _claims(settings, iat=now - 600, exp=now - 60)
    assert await _status(settings, _rs256(expired)) == 401


async def test_an_hs256_token_is_refused_when_rs256_is_configured(settings: CommonSettings) -> None:
    # Algorithm confusion: an HS256 token keyed with the public key (which anyone can fetch)
    # or with the local default secret must not pass as an RS256 one.
    public_pem = SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for secret in (public_pem, DEFAULT_JWT_SECRET.encode()):
        assert await _status(settings, _hs256_by_hand(_claims(settings), secret)) == 401


def _hs256_by_hand(claims: dict[str, object], secret: bytes) -> str:
    # PyJWT itself refuses to sign HS256 with a PEM key, so the forgery is assembled here.
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    signing_input = f"{header}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


async def test_an_unsigned_token_is_refused(settings: CommonSettings) -> None:
    unsigned = jwt.encode(_claims(settings), None, algorithm="none", headers={"kid": KID})
    assert await _status(settings, unsigned) == 401


async def test_the_issuer_is_checked_for_local_hs256_tokens_too(tmp_path: Path) -> None:
    settings = CommonSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/auth.db")
    good = jwt.encode(_claims(settings), settings.jwt_secret, algorithm="HS256")
    foreign = jwt.encode(_claims(settings, iss="someone-else"), settings.jwt_secret,
                         algorithm="HS256")
    assert await _status(settings, good) == 200
    assert await _status(settings, foreign) == 401


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_the_default_or_a_short_secret_is_refused_outside_local_runs(environment: str) -> None:
    for secret in (DEFAULT_JWT_SECRET, "short-but-not-default"):
        with pytest.raises(ValueError, match="refused outside local runs"):
            CommonSettings(environment=environment, jwt_secret=secret)
    CommonSettings(environment=environment, jwt_secret="x" * 40)


def test_the_default_secret_from_the_environment_is_refused_in_production(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from services.collections.config import Settings

    monkeypatch.setenv("POSTLOAN_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="refused outside local runs"):
        Settings()
    monkeypatch.setenv("COLLECTIONS_JWT_ALGORITHM", "RS256")
    monkeypatch.setenv("COLLECTIONS_JWT_JWKS_URL", "https://idp.bank.example/jwks.json")
    assert Settings().jwt_algorithm == "RS256"


@pytest.mark.parametrize("environment", ["local", "test", "ci"])
def test_local_runs_may_use_the_default_secret(environment: str) -> None:
    assert CommonSettings(environment=environment).jwt_secret == DEFAULT_JWT_SECRET


def test_rs256_without_a_key_set_and_unknown_algorithms_are_refused() -> None:
    with pytest.raises(ValueError, match="RS256 needs jwt_jwks_url"):
        CommonSettings(jwt_algorithm="RS256")
    with pytest.raises(ValueError):
        CommonSettings(jwt_algorithm="none")
