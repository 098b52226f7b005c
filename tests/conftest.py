from __future__ import annotations

import pytest

from skjult.engine import Checker


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker("dk")


@pytest.fixture(scope="session")
def checker_en() -> Checker:
    return Checker("dk", lang="en")
