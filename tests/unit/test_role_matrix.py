"""Every /v1 operation of every service is called with no token and with each role; the
answers must match the role matrix kept in docs/role-matrix.json. An anonymous caller gets
401 before anything else runs (not a 404 that would reveal whether an id exists)."""
from __future__ import annotations

import json

from tests.support.role_matrix import MATRIX_FILE, PUBLIC, observe_all


async def test_every_operation_refuses_anonymous_callers_and_admits_exactly_its_roles() -> None:
    observed = await observe_all()
    for service, operations in observed.items():
        assert operations, f"{service} exposes no /v1 operations"
        for key, answer in operations.items():
            if (service, key) not in PUBLIC:
                assert answer["without_token"] == 401, f"{service} {key} without a token"
                assert "admin" in answer["roles"], f"{service} {key} refuses admin"
    committed = json.loads(MATRIX_FILE.read_text())
    assert observed == committed, \
        "the role matrix changed: review it, then run python -m tests.support.role_matrix"
