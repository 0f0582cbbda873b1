"""Kafka client construction from settings, including the security options."""
from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.config import CommonSettings


def connection_kwargs(settings: CommonSettings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        kwargs["ssl_context"] = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    if settings.kafka_sasl_mechanism:
        kwargs["sasl_mechanism"] = settings.kafka_sasl_mechanism
        kwargs["sasl_plain_username"] = settings.kafka_sasl_username
        kwargs["sasl_plain_password"] = settings.kafka_sasl_password
    return kwargs


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
