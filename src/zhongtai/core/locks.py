"""Locks that serialize one kind of decision within a business unit until the transaction
ends.

On PostgreSQL a transaction-scoped advisory lock keyed by (kind, unit): two web processes
assigning tickets of the same unit at once take turns, so that neither reads an agent's
load before the other's assignment is committed. SQLite needs none: its transactions
begin IMMEDIATE (``settings.py``), so writers take turns already.
"""

from __future__ import annotations

from django.db import connection

KINDS = {"assignment": 4201}


def unit_lock(kind: str, tenant_id: int) -> None:
    """Wait for, then hold until commit or rollback, the unit's lock of ``kind``."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [KINDS[kind], tenant_id])
