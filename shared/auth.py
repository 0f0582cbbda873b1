"""Bearer-token authentication and role checks.

HS256 with a configured secret serves local runs; production uses RS256 keys published
at a JWKS URL. Expiry, audience and issuer are always checked."""
from __future__ import annotations

import enum
import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Iterable

import jwt
from fastapi import Depends, Request

from shared.api.errors import Forbidden, Unauthenticated
from shared.config import CommonSettings


class Role(str, enum.Enum):
    risk_officer = "risk_officer"
    collector = "collector"
    collection_manager = "collection_manager"
    crm_agent = "crm_agent"
    inspector = "inspector"
    auditor = "auditor"
    admin = "admin"
    bank_system = "bank_system"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    team: str | None = None

    def has_any(self, roles: Iterable[Role]) -> bool:
        return bool(self.roles & set(roles))


class TokenVerifier:
    def __init__(self, settings: CommonSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self._key_for(token), algorithms=[self.settings.jwt_algorithm],
                audience=self.settings.jwt_audience, issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        return _principal(claims)

    def _key_for(self, token: str):  # type: ignore[no-untyped-def]
        if self.settings.jwt_algorithm == "HS256":
            return self.settings.jwt_secret
        if self._jwks is None:
            raise Unauthenticated("no key set configured")
        try:
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"signing key not found: {exc}") from exc


def _principal(claims: dict) -> Principal:
    raw_roles = claims.get("roles") or []
    if not isinstance(raw_roles, list):
        raise Unauthenticated("roles claim must be a list")
    roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
    return Principal(subject=str(claims["sub"]), roles=roles, team=claims.get("team"))


def mint_local_token(
    settings: CommonSettings, *, roles: Iterable[str], subject: str = "local-user",
    team: str | None = None, ttl_seconds: int = 3600,
) -> str:
    if settings.jwt_algorithm != "HS256":
        raise ValueError("local tokens are HS256; production tokens come from the identity provider")
    now = int(time.time())
    claims = {
        "sub": subject, "roles": [Role(r).value for r in roles], "iat": now,
        "exp": now + ttl_seconds, "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
        "jti": str(uuid.uuid4()),
    }
    if team:
        claims["team"] = team
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def current_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("a bearer token is required")
    verifier: TokenVerifier = request.app.state.token_verifier
    request.state.principal = principal = verifier.verify(token.strip())  # for the audit trail
    return principal


def require_roles(*allowed: Role):  # type: ignore[no-untyped-def]
    """A dependency that admits a caller holding any of `allowed` (admin always passes)."""
    wanted = frozenset(allowed) | {Role.admin}

    def _check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_any(wanted):
            raise Forbidden(f"requires one of the roles: {', '.join(sorted(r.value for r in wanted))}")
        return principal

    _check.allowed_roles = wanted  # type: ignore[attr-defined]
    return _check
