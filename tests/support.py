"""Helpers that tests of several apps share: the API's problem answers, and running the
Huey queue as a worker would."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import HUEY

PROBLEM = "application/problem+json"


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The RFC 9457 problem a refused request answers with (its ``code`` when given)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status, body
    if code is not None:
        assert body["code"] == code, body
    return body


def huey_drain() -> int:
    """Run what the queue holds, as a worker would; return how many tasks ran."""
    count = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        count += 1
    return count
