"""A cache of loaded and validated packs, so a one-caption run does not parse YAML again.

A cache entry is a pickle of the ``Pack`` plus the size and modification time of every file it
was read from; it is used only while the pack's folders hold exactly those files, unchanged, so
editing, adding or removing a rule file invalidates it. The cache lives in ``$SKJULT_CACHE_DIR``,
else ``$XDG_CACHE_HOME/skjult`` or ``~/.cache/skjult``; ``SKJULT_NO_CACHE=1`` turns it off. Any
problem with the cache (unwritable, corrupt, from another version) means loading from YAML.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
FORMAT = 1  # bump when the pickled classes change shape


def cache_dir() -> Path | None:
    if os.environ.get("SKJULT_NO_CACHE"):
        return None
    explicit = os.environ.get("SKJULT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "skjult"


def _fingerprint(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.yml")):
            stat = path.stat()
            out[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return out


def _code_stamp() -> str:
    """The package's own source files: a pickle made by other code is never loaded."""
    package = Path(__file__).resolve().parents[1]
    stamp = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        stamp.update(f"{path.relative_to(package)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return stamp.hexdigest()


def cached(root: Path, variant: str, load: Callable[[], T], folders: Callable[[T], list[Path]]) -> T:
    """``load()`` the pack at ``root``, or take it from the cache while its files are unchanged.

    ``folders(pack)`` names every folder the pack was read from (its own and shared ones)."""
    from skjult import __version__

    where = cache_dir()
    if where is None:
        return load()
    key = hashlib.sha1(f"{FORMAT}|{__version__}|{sys.version}|{variant}|{root.resolve()}|"
                       f"{_code_stamp()}".encode())
    entry = where / f"pack-{key.hexdigest()[:20]}.pickle"
    try:
        with entry.open("rb") as stream:
            stored: dict[str, Any] = pickle.load(stream)
        if stored["files"] == _fingerprint(Path(f) for f in stored["folders"]):
            return stored["pack"]  # type: ignore[no-any-return]
    except Exception:  # missing, stale, corrupt or unreadable: load from YAML
        pass
    pack = load()
    try:
        dirs = [str(f) for f in folders(pack)]
        blob = pickle.dumps({"folders": dirs, "files": _fingerprint(Path(d) for d in dirs),
                             "pack": pack}, protocol=pickle.HIGHEST_PROTOCOL)
        where.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a parallel run never reads half a file.
        with tempfile.NamedTemporaryFile(dir=where, delete=False, suffix=".tmp") as tmp:
            tmp.write(blob)
        os.replace(tmp.name, entry)
    except Exception:  # a read-only home or an unpicklable pattern: just do without
        pass
    return pack
