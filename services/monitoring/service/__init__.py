"""Use cases: load -> domain rule -> persist -> add event to outbox; never commit."""
