"""Read-model updates, one function per event. Never commit: the consumer owns the
transaction (and the inbox row that makes a redelivery a no-op)."""
