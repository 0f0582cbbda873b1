"""Kafka client construction from settings, including the security options. Every client
(producer, consumer, admin, health probe, faust) takes its connection from here, so TLS and
SASL configured once apply everywhere."""
from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.config import CommonSettings


def ssl_context(settings: CommonSettings) -> ssl.SSLContext:
    """Verifies the broker against `kafka_ssl_cafile` (or the system store) and presents a
    client certificate when one is configured (mutual TLS)."""
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    context.check_hostname = settings.kafka_ssl_check_hostname
    if settings.kafka_ssl_certfile:
        password = settings.kafka_ssl_key_password
        context.load_cert_chain(settings.kafka_ssl_certfile, settings.kafka_ssl_keyfile,
                                password.get_secret_value() if password else None)
    return context


def connection_kwargs(settings: CommonSettings) -> dict[str, Any]:
    protocol = settings.kafka_security_protocol
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": protocol.value,
    }
    if protocol.uses_tls:
        kwargs["ssl_context"] = ssl_context(settings)
    if protocol.uses_sasl:
        password = settings.kafka_sasl_password
        kwargs["sasl_mechanism"] = settings.kafka_sasl_mechanism.value
        kwargs["sasl_plain_username"] = settings.kafka_sasl_username
        kwargs["sasl_plain_password"] = password.get_secret_value() if password else None
    return kwargs


def faust_credentials(settings: CommonSettings) -> Any:
    """The same security options in the shape faust's `broker_credentials` takes."""
    import faust  # imported here: only the warning worker runs faust

    protocol = settings.kafka_security_protocol
    context = ssl_context(settings) if protocol.uses_tls else None
    if protocol.uses_sasl:
        password = settings.kafka_sasl_password
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=password.get_secret_value() if password else None,
            ssl_context=context, mechanism=settings.kafka_sasl_mechanism.value,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def create_producer(settings: CommonSettings, **overrides: Any) -> AIOKafkaProducer:
    """Idempotent producer: acks from every in-sync replica, broker-side de-duplication of
    retried batches, so a retry never writes an event twice or out of order."""
    options: dict[str, Any] = {
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_request_size": settings.max_event_bytes + 64_000,
        "client_id": f"postloan-{settings.service_name}",
    }
    options.update(overrides)
    return AIOKafkaProducer(**connection_kwargs(settings), **options)
