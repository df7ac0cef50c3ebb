"""Idempotent creates: a retried request with the same Idempotency-Key gets the first answer.

The stored answer and the created object commit in one transaction, so a crash between
them cannot leave a ticket without its key (which a retry would double).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhongtai.core.errors import Conflict, InvalidInput
from zhongtai.core.inputs import LINE_PATTERN
from zhongtai.core.models import IdempotencyRecord, Tenant

MAX_KEY_LENGTH = 255


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _replay(record: IdempotencyRecord, print_: str) -> tuple[int, Any]:
    if record.fingerprint != print_:
        raise Conflict(
            _("This Idempotency-Key was used for a different request."),
            code="idempotency_key_reused",
        )
    return record.status_code, record.response


def idempotent_call(
    *,
    tenant: Tenant,
    user_id: int,
    scope: str,
    key: str | None,
    payload: Any,
    create: Callable[[], tuple[int, Any]],
) -> tuple[int, Any]:
    """Run ``create`` once per (tenant, user, scope, key); replay its answer afterwards."""
    if key is None:
        return create()  # the service inside is one transaction already
    if not key.strip() or len(key) > MAX_KEY_LENGTH or not re.fullmatch(LINE_PATTERN, key):
        raise InvalidInput(
            errors=[
                {
                    "field": "Idempotency-Key",
                    "message": _("Use 1 to 255 characters, no control characters."),
                }
            ]
        )
    print_ = fingerprint(payload)
    lookup = {"tenant": tenant, "user_id": user_id, "scope": scope, "key": key}
    record = IdempotencyRecord.objects.filter(**lookup).first()
    if record is not None:
        return _replay(record, print_)
    try:
        with transaction.atomic():
            status, body = create()
            IdempotencyRecord.objects.create(
                **lookup, fingerprint=print_, status_code=status, response=body
            )
            return status, body
    except IntegrityError:
        # A concurrent request with the same key won the race; its ticket stands, ours
        # was rolled back with the failed insert.
        record = IdempotencyRecord.objects.filter(**lookup).first()
        if record is None:
            raise
        return _replay(record, print_)
