"""Imports every event module so that the registry is complete.

The service modules are written by the services' owners and appear over time; until one
exists it is skipped. Only the module itself may be missing: an import error inside an
existing module still fails loudly."""
from __future__ import annotations

import importlib

import shared.events.bank  # noqa: F401  (registers the inbound contract)

SERVICE_EVENT_MODULES = (
    "shared.events.monitoring",
    "shared.events.monitoring_inspection",
    "shared.events.warning",
    "shared.events.collections",
    "shared.events.crm",
    "shared.events.audit",
)


def _import_optional(name: str) -> None:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise


for _name in SERVICE_EVENT_MODULES:
    _import_optional(_name)
