"""Kafka TLS and SASL/SCRAM settings reach every client: producer, consumer, admin, faust."""
from __future__ import annotations

import ssl
from pathlib import Path

import faust
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from shared.config import CommonSettings
from shared.kafka.client import connection_kwargs, create_producer, faust_credentials
from tests.unit.security.pki import make_pki


def _secured(tmp_path: Path, **overrides) -> CommonSettings:  # type: ignore[no-untyped-def]
    pki = make_pki(tmp_path)
    options = dict(
        kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username="postloan-monitoring", kafka_sasl_password="s3cret-scram",
        kafka_ssl_cafile=str(pki.cafile), kafka_ssl_certfile=str(pki.certfile),
        kafka_ssl_keyfile=str(pki.keyfile), kafka_ssl_check_hostname=False,
    )
    options.update(overrides)
    return CommonSettings(**options)


def _trusts_only_the_test_ca(context: ssl.SSLContext) -> bool:
    issuers = [dict(pair[0] for pair in cert["subject"]) for cert in context.get_ca_certs()]
    return {"commonName": "postloan test ca"} in issuers


def test_plaintext_is_the_local_default_and_carries_no_credentials() -> None:
    kwargs = connection_kwargs(CommonSettings())
    assert kwargs == {"bootstrap_servers": "127.0.0.1:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_ssl_settings_reach_the_connection_kwargs(tmp_path: Path) -> None:
    kwargs = connection_kwargs(_secured(tmp_path))
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-256"
    assert kwargs["sasl_plain_username"] == "postloan-monitoring"
    assert kwargs["sasl_plain_password"] == "s3cret-scram"
    context = kwargs["ssl_context"]
    assert _trusts_only_the_test_ca(context)
    assert context.check_hostname is False
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_settings_come_from_the_environment_and_hide_the_password(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from services.monitoring.config import Settings

    pki = make_pki(tmp_path)
    monkeypatch.setenv("POSTLOAN_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("POSTLOAN_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("POSTLOAN_KAFKA_SASL_USERNAME", "svc")
    monkeypatch.setenv("POSTLOAN_KAFKA_SASL_PASSWORD", "env-secret")
    monkeypatch.setenv("POSTLOAN_KAFKA_SSL_CAFILE", str(pki.cafile))
    settings = Settings()
    assert "env-secret" not in repr(settings) and "env-secret" not in str(settings.model_dump())
    kwargs = connection_kwargs(settings)
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_password"] == "env-secret"
    assert kwargs["ssl_context"].check_hostname is True


def test_unsupported_mechanisms_and_half_configured_sasl_are_refused() -> None:
    with pytest.raises(ValidationError):
        CommonSettings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="MD5",
                       kafka_sasl_username="u", kafka_sasl_password="p")
    with pytest.raises(ValidationError, match="SASL needs"):
        CommonSettings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="u")
    with pytest.raises(ValidationError, match="both kafka_ssl_certfile"):
        CommonSettings(kafka_security_protocol="SSL", kafka_ssl_certfile="/x.pem")


def test_a_client_key_that_does_not_match_its_certificate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = make_pki(tmp_path / "a"), make_pki(tmp_path / "b")
    settings = _secured(tmp_path, kafka_ssl_certfile=str(first.certfile),
                        kafka_ssl_keyfile=str(second.keyfile))
    with pytest.raises(ssl.SSLError):
        connection_kwargs(settings)


async def test_producer_consumer_and_admin_clients_are_built_with_the_security_settings(
    tmp_path: Path,
) -> None:
    settings = _secured(tmp_path)
    producer = create_producer(settings)
    consumer = AIOKafkaConsumer("t", **connection_kwargs(settings), group_id="g")
    admin = AIOKafkaAdminClient(**connection_kwargs(settings))
    for client in (producer.client, consumer._client, admin._client):
        assert client._security_protocol == "SASL_SSL"
        assert client._sasl_mechanism == "SCRAM-SHA-256"
        assert client._sasl_plain_username == "postloan-monitoring"
        assert client._sasl_plain_password == "s3cret-scram"
        assert _trusts_only_the_test_ca(client._ssl_context)


def test_faust_gets_the_same_credentials(tmp_path: Path) -> None:
    sasl = faust_credentials(_secured(tmp_path))
    assert isinstance(sasl, faust.SASLCredentials)
    assert (sasl.protocol.value, sasl.mechanism.value) == ("SASL_SSL", "SCRAM-SHA-256")
    assert (sasl.username, sasl.password) == ("postloan-monitoring", "s3cret-scram")
    assert _trusts_only_the_test_ca(sasl.ssl_context)
    tls = faust_credentials(_secured(tmp_path, kafka_security_protocol="SSL"))
    assert isinstance(tls, faust.SSLCredentials) and _trusts_only_the_test_ca(tls.context)
    assert faust_credentials(CommonSettings()) is None


def test_the_warning_stream_app_is_configured_with_the_credentials(tmp_path: Path) -> None:
    from services.warning.config import Settings
    from services.warning.streams import build_streams

    pki = make_pki(tmp_path)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/w.db",
                        kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="w",
                        kafka_sasl_password="pw", kafka_ssl_cafile=str(pki.cafile))
    streams = build_streams(settings, sessions=None)  # type: ignore[arg-type]
    credentials = streams.app.conf.broker_credentials
    assert isinstance(credentials, faust.SASLCredentials)
    assert (credentials.protocol.value, credentials.password) == ("SASL_PLAINTEXT", "pw")
