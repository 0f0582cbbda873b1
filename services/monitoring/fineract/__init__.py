"""Apache Fineract as a source: its Kafka loan events feed the monitoring ledger directly."""
from __future__ import annotations

from services.monitoring.fineract.consumer import fineract_source

__all__ = ["fineract_source"]
