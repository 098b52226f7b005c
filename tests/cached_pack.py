"""A built-in pack copied where a test may change it, with its cache in the test's own folder
(shared by the cache tests and the hostile-cache tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skjult.rules.pack import Pack, builtin_root


def folders(pack: Pack) -> list[Path]:
    """Every folder the pack was read from, as the cache fingerprints them."""
    return sorted({pack.root.resolve(), *(Path(t.file).resolve().parents[1]
                                          for t in pack.termsets.values())})


def copied_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SKJULT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SKJULT_NO_CACHE", raising=False)
    shutil.copytree(builtin_root() / "uk", tmp_path / "uk")
    shutil.copytree(builtin_root() / "_english", tmp_path / "_english")
    return tmp_path / "uk"
