"""Stress runs take minutes: they run only when asked for (`make stress`, `pytest -m stress`)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "stress" in str(config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a long load run: `make stress` or `pytest -m stress`")
    for item in items:
        if item.get_closest_marker("stress") is not None:
            item.add_marker(skip)
