"""The compiled-pack cache: used while the pack's files are unchanged, dropped when one changes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cached_pack import copied_pack, folders

from skjult.rules.cache import cached
from skjult.rules.pack import Pack, load_pack


def fail() -> Pack:
    raise AssertionError("loaded from YAML although the cache is current")


@pytest.fixture()
def pack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copied_pack(tmp_path, monkeypatch)


def test_second_load_comes_from_the_cache(pack_dir: Path) -> None:
    first = cached(pack_dir, "t", lambda: load_pack(pack_dir), folders)
    again = cached(pack_dir, "t", fail, folders)
    assert [r.id for r in again.rules] == [r.id for r in first.rules]
    assert again.termsets["en.discount-code"].compiled_regex[0].search("use code JEN70")


def test_changed_added_or_shared_file_invalidates(pack_dir: Path) -> None:
    cached(pack_dir, "t", lambda: load_pack(pack_dir), folders)
    rule = pack_dir / "rules" / "label-risky.yml"
    time.sleep(0.01)
    rule.write_text(rule.read_text(encoding="utf-8").replace("severity: warning", "severity: error"),
                    encoding="utf-8")
    changed = cached(pack_dir, "t", lambda: load_pack(pack_dir), folders)
    assert str(changed.rule("uk.label-risky").severity) == "error"
    extra = pack_dir / "rules" / "zz-new.yml"
    extra.write_text(rule.read_text(encoding="utf-8").replace("id: uk.label-risky", "id: uk.zz-new"),
                     encoding="utf-8")
    added = cached(pack_dir, "t", lambda: load_pack(pack_dir), folders)
    assert "uk.zz-new" in {r.id for r in added.rules}
    shared = pack_dir.parent / "_english" / "vocabulary" / "signals.yml"
    shared.write_text(shared.read_text(encoding="utf-8").replace('"pr package"', '"pr box"'),
                      encoding="utf-8")
    reloaded = cached(pack_dir, "t", lambda: load_pack(pack_dir), folders)
    assert "pr box" in reloaded.termsets["en.gift"].phrases


def test_a_corrupt_or_unwritable_cache_is_ignored(pack_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cached(pack_dir, "t", lambda: load_pack(pack_dir), folders)
    for entry in (tmp_path / "cache").iterdir():
        entry.write_bytes(b"not a pickle")
    assert cached(pack_dir, "t", lambda: load_pack(pack_dir), folders).name == "uk"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SKJULT_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert cached(pack_dir, "t", lambda: load_pack(pack_dir), folders).name == "uk"
