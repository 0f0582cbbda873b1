"""Typed settings shared by every process. Nothing reads the environment at import time."""
from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict,
)

DEFAULT_JWT_SECRET = "postloan-local-only-secret-change-me"


class Environment(str, Enum):
    local = "local"
    test = "test"
    ci = "ci"
    staging = "staging"
    production = "production"

    @property
    def is_local(self) -> bool:
        return self in (Environment.local, Environment.test, Environment.ci)


class KafkaSecurityProtocol(str, Enum):
    plaintext = "PLAINTEXT"
    ssl = "SSL"
    sasl_plaintext = "SASL_PLAINTEXT"
    sasl_ssl = "SASL_SSL"

    @property
    def uses_tls(self) -> bool:
        return self in (KafkaSecurityProtocol.ssl, KafkaSecurityProtocol.sasl_ssl)

    @property
    def uses_sasl(self) -> bool:
        return self in (KafkaSecurityProtocol.sasl_plaintext, KafkaSecurityProtocol.sasl_ssl)


class SaslMechanism(str, Enum):
    plain = "PLAIN"
    scram_sha_256 = "SCRAM-SHA-256"
    scram_sha_512 = "SCRAM-SHA-512"


class CommonSettings(BaseSettings):
    """Settings every service has. Subclasses set `env_prefix` (e.g. MONITORING_); the
    unprefixed POSTLOAN_* variables supply platform-wide defaults such as the broker."""

    model_config = SettingsConfigDict(env_prefix="POSTLOAN_", extra="ignore")

    environment: Environment = Environment.local
    service_name: str = "postloan"
    database_url: str = "sqlite+aiosqlite:///./.data/postloan.db"
    database_echo: bool = False
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: KafkaSecurityProtocol = KafkaSecurityProtocol.plaintext
    kafka_sasl_mechanism: SaslMechanism = SaslMechanism.scram_sha_512
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None
    kafka_ssl_certfile: str | None = None
    kafka_ssl_keyfile: str | None = None
    kafka_ssl_key_password: SecretStr | None = None
    kafka_ssl_check_hostname: bool = True
    topic_partitions: int = Field(default=6, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    consumer_max_retries: int = Field(default=3, ge=0)
    consumer_retry_backoff_seconds: float = Field(default=0.05, ge=0)
    consumer_batch_size: int = Field(default=500, ge=1)
    # Fault testing only: an artificial pause per consumed record, to build consumer lag.
    consumer_fault_delay_seconds: float = Field(default=0.0, ge=0)
    max_event_bytes: int = Field(default=1_000_000, ge=1024)
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_poll_seconds: float = Field(default=0.05, gt=0)
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "postloan"
    jwt_audience: str = "postloan"
    api_host: str = "127.0.0.1"
    api_max_body_bytes: int = Field(default=1_000_000, ge=1024)
    api_port: int = 8000
    worker_ops_port: int = 9000
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Service-prefixed variables win; POSTLOAN_* fill in what a service does not set.
        platform = EnvSettingsSource(settings_cls, env_prefix="POSTLOAN_")
        return init_settings, env_settings, platform, dotenv_settings, file_secret_settings

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> "CommonSettings":
        if not self.environment.is_local and self.jwt_algorithm == "HS256" and (
            self.jwt_secret == DEFAULT_JWT_SECRET or len(self.jwt_secret) < 32
        ):
            raise ValueError(
                "the default or a short JWT secret is refused outside local runs; "
                "set a strong secret or use RS256 with a JWKS URL"
            )
        if self.jwt_algorithm == "RS256" and not self.jwt_jwks_url:
            raise ValueError("RS256 needs jwt_jwks_url")
        if self.kafka_security_protocol.uses_sasl and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError("SASL needs kafka_sasl_username and kafka_sasl_password")
        if bool(self.kafka_ssl_certfile) != bool(self.kafka_ssl_keyfile):
            raise ValueError(
                "a client certificate needs both kafka_ssl_certfile and kafka_ssl_keyfile")
        return self

    @property
    def consumer_groups(self) -> tuple[str, ...]:
        """The Kafka consumer groups this service's worker commits offsets under."""
        group = getattr(self, "consumer_group", None)
        return (group,) if group else ()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
