from __future__ import annotations

import os
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from skjult.checker import Checker

# Hypothesis keeps a cache (examples, constants gathered from the code) in .hypothesis/ beside
# the tests; our fuzz tests are derandomized and use no database, so it goes to a temporary
# folder and the checkout stays as cloned.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY",
                      tempfile.mkdtemp(prefix="skjult-hypothesis-"))


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker("dk")


@pytest.fixture(scope="session")
def checker_en() -> Checker:
    return Checker("dk", lang="en")


@pytest.fixture()
def user_pack(tmp_path: Path) -> Callable[..., Path]:
    """Writes a rule pack of a user's own: ``user_pack("mine", {"rules/x.yml": "..."})``.

    ``pack.yml`` is written for it; the files' texts are dedented."""

    def write(name: str, files: dict[str, str]) -> Path:
        root = tmp_path / name
        for relative, text in {"pack.yml": f"pack: {name}\n", **files}.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return root

    return write
