"""Every test in this package drives the browser (fixtures in ``tests/browser_support.py``)."""

from __future__ import annotations

from typing import Any

import pytest


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
