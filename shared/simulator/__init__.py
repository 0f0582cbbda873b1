"""A deterministic, seeded bank: customers, loans and their repayment stories, published to
the inbound topics exactly as the bank's core system would."""
from shared.simulator.feed import SimulationOptions, generate

__all__ = ["SimulationOptions", "generate"]
