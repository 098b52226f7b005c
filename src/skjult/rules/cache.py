"""A cache of loaded and validated packs, so a one-caption run does not parse YAML again.

A cache entry is a pickle of the ``Pack`` plus the size and modification time of every file it
was read from; it is used only while the pack's folders hold exactly those files, unchanged, so
editing, adding or removing a rule file invalidates it. The cache lives in ``$SKJULT_CACHE_DIR``,
else ``$XDG_CACHE_HOME/skjult`` or ``~/.cache/skjult``; ``SKJULT_NO_CACHE=1`` turns it off. Any
problem with the cache (unwritable, corrupt, from another version) means loading from YAML.

Unpickling runs code named in the file, so a planted entry would run as the user. An entry is
therefore unpickled only when

* the cache folder is a folder owned by the user that no one else can write to (we create it
  ``0o700``; a group- or world-writable folder is not used at all, neither read nor written);
* the entry is a regular file (not a symlink) owned by the user and writable by no one else
  (we write ``0o600``);
* its HMAC-SHA256, keyed with a random per-user key kept in the folder (``key``, ``0o600``),
  matches: only skjult, running as this user, could have written it.

The folder is opened once and every file is opened relative to it, so the folder checked is the
folder read even if a path component is swapped meanwhile. An entry failing any check is
ignored, never unpickled, and replaced by a fresh one.

What this protects against: other users (a shared or mis-permissioned cache folder, e.g. a
``$SKJULT_CACHE_DIR`` under ``/tmp``), a file put in the folder by something that cannot read
the user's 0o600 key, and truncated or corrupt files. What it does not: anyone who can write to
the user's own files, key included, can already run code as the user (``~/.bashrc``,
``site-packages``), and nothing a cache does changes that. On Windows the ownership and mode
checks do not apply (no POSIX modes); the folder's ACLs and the key still do.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
FORMAT = 5  # bump when the pickled classes or the entry layout change shape
KEY_FILE = "key"
KEY_BYTES = 32
DIGEST = hashlib.sha256
DIGEST_BYTES = 32
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
BINARY = getattr(os, "O_BINARY", 0)
# Relative opens inside the checked folder need ``dir_fd`` (POSIX); elsewhere, full paths.
DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


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
            st = path.stat()
            out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


def _code_stamp() -> str:
    """The package's own source files: a pickle made by other code is never loaded."""
    package = Path(__file__).resolve().parents[1]
    stamp = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        stamp.update(f"{path.relative_to(package)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return stamp.hexdigest()


def _private(st: os.stat_result, others: int) -> bool:
    """Owned by this user and without the ``others`` permission bits (POSIX only)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & others


class _Folder:
    """The cache folder, checked once and then used only through that check."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self.fd = fd  # the open folder, where ``dir_fd`` works

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)

    def _where(self, name: str) -> str:
        return name if self.fd is not None else str(self.path / name)

    def read(self, name: str, others: int) -> bytes | None:
        """The file's bytes if it is a regular file of this user's without the ``others``
        permission bits; else None (it is never handed to pickle)."""
        try:
            fd = os.open(self._where(name), os.O_RDONLY | NOFOLLOW | BINARY, dir_fd=self.fd)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as stream:
            st = os.fstat(stream.fileno())  # of the file opened, not of whatever the name is now
            if not stat.S_ISREG(st.st_mode) or not _private(st, others):
                return None
            return stream.read()

    def write(self, name: str, data: bytes) -> None:
        """Written aside (``0o600``) and renamed: a parallel run never reads half a file."""
        temp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | BINARY
        fd = os.open(self._where(temp), flags, 0o600, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            os.replace(self._where(temp), self._where(name), src_dir_fd=self.fd,
                       dst_dir_fd=self.fd)
        except BaseException:
            with suppress(OSError):
                os.unlink(self._where(temp), dir_fd=self.fd)
            raise

    def key(self) -> bytes:
        """The per-user HMAC key. A missing or short one, or one others could read, is replaced
        by a new one; entries signed with the old key then fail their check and are rewritten."""
        key = self.read(KEY_FILE, 0o077)
        if key is not None and len(key) == KEY_BYTES:
            return key
        key = secrets.token_bytes(KEY_BYTES)
        self.write(KEY_FILE, key)
        return key


def _open_folder(where: Path) -> _Folder | None:
    """The cache folder, created ``0o700`` if missing; None if it cannot be used safely: not a
    folder, not the user's, or writable by others."""
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(where, os.O_RDONLY | os.O_DIRECTORY) if DIR_FD else None
    except OSError:
        return None
    folder = _Folder(where, fd)
    try:
        st = os.fstat(fd) if fd is not None else os.stat(where)
    except OSError:
        st = None
    if st is None or not stat.S_ISDIR(st.st_mode) or not _private(st, 0o022):
        folder.close()
        return None
    return folder


def _sign(key: bytes, name: str, blob: bytes) -> bytes:
    """The entry's name is signed too: an entry is valid only under the name it was written as."""
    return hmac.new(key, name.encode() + b"\0" + blob, DIGEST).digest()


def _stored(folder: _Folder, name: str, key: bytes) -> dict[str, Any] | None:
    """The entry, if it passes every check and its files are unchanged."""
    data = folder.read(name, 0o022)
    if data is None or len(data) <= DIGEST_BYTES:
        return None
    digest, blob = data[:DIGEST_BYTES], data[DIGEST_BYTES:]
    if not hmac.compare_digest(digest, _sign(key, name, blob)):
        return None
    try:
        stored: dict[str, Any] = pickle.loads(blob)
        if stored["files"] == _fingerprint(Path(f) for f in stored["folders"]):
            return stored
    except Exception:  # from another version of the classes, or a folder gone: load from YAML
        pass
    return None


def cached(root: Path, variant: str, load: Callable[[], T], folders: Callable[[T], list[Path]]) -> T:
    """``load()`` the pack at ``root``, or take it from the cache while its files are unchanged.

    ``folders(pack)`` names every folder the pack was read from (its own and shared ones)."""
    from skjult._version import __version__

    where = cache_dir()
    if where is None:
        return load()
    key = hashlib.sha1(f"{FORMAT}|{__version__}|{sys.version}|{variant}|{root.resolve()}|"
                       f"{_code_stamp()}".encode())
    name = f"pack-{key.hexdigest()[:20]}.pickle"
    folder = _open_folder(where)
    if folder is None:  # cannot be created, or others could write to it: do without
        return load()
    try:
        return _through(folder, name, load, folders)
    finally:
        folder.close()


def _through(folder: _Folder, name: str, load: Callable[[], T],
             folders: Callable[[T], list[Path]]) -> T:
    try:
        secret = folder.key()
    except OSError:  # a read-only folder without a key: nothing to trust, nowhere to write
        return load()
    stored = _stored(folder, name, secret)
    if stored is not None:
        return stored["pack"]  # type: ignore[no-any-return]
    pack = load()
    try:
        dirs = [str(f) for f in folders(pack)]
        blob = pickle.dumps({"folders": dirs, "files": _fingerprint(Path(d) for d in dirs),
                             "pack": pack}, protocol=pickle.HIGHEST_PROTOCOL)
        folder.write(name, _sign(secret, name, blob) + blob)
    except Exception:  # a read-only home or an unpicklable pattern: just do without
        pass
    return pack
