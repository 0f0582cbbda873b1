"""The audit trail: who or what changed what, when and why, in an append-only store per
service, published on `postloan.audit.v1` through the outbox.

- `store`: the table factory (each service adds it to its metadata), the append-only
  triggers and writing an entry with its event;
- `api`: every state-changing API call, hooked into the request session;
- `decisions`: automated decisions, hooked into the service's publisher;
- `masking`: personal data masked before anything is recorded."""
from shared.audit.decisions import Decision
from shared.audit.store import AuditTrail, append_only_statements, audit_table

__all__ = ["AuditTrail", "Decision", "append_only_statements", "audit_table"]
