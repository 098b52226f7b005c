"""Where a report (``-o``) or a fixed draft (``--fix``) is written, so that no run destroys a file.

A regular file is written beside its target under a hidden temporary name and renamed over it
only when everything was written: an interrupted run, a full disk or a crash leaves the old file
as it was, never a valid-looking half. A pipe, a terminal or a device (``/dev/stdout``) cannot
be renamed over and is written directly."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from skjult.i18n import Text


class DestinationError(Exception):
    """The file cannot be written; the message names it and says why (``problem``)."""

    def __init__(self, file: object, problem: str):
        self.problem = problem
        super().__init__(Text("{file}: {problem}", file=str(file), problem=problem))


def _cannot_write(exc: OSError) -> Text:
    return Text("cannot write: {error}", error=exc.strerror or str(exc))


def _is_special(path: Path) -> bool:
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise DestinationError(path, _cannot_write(exc)) from None


def refuse_inputs(output: Path, inputs: Iterable[str], settings: Iterable[str] = ()) -> None:
    """A report never replaces a file the same run reads: an input named on the command line
    (also the file standard input comes from), an existing file inside a folder the run reads,
    or the run's own configuration."""
    if not output.exists():
        return  # a new file: the readers are told to leave it alone
    try:
        target = output.stat()
    except OSError:
        return
    resolved = output.resolve()
    for name in inputs:
        if name == "-":
            try:
                stdin = os.fstat(0)
            except OSError:
                continue
            if (stdin.st_dev, stdin.st_ino) == (target.st_dev, target.st_ino):
                raise DestinationError(output, Text("is what standard input reads; not "
                                                    "overwritten (write the report to another "
                                                    "file)"))
            continue
        try:
            same = os.path.samefile(name, output)
        except OSError:
            continue
        if same:
            raise DestinationError(output, Text("is also an input of this run; not overwritten "
                                                "(write the report to another file)"))
        folder = Path(name)
        if folder.is_dir() and resolved.is_relative_to(folder.resolve()):
            raise DestinationError(output, Text("is inside {folder}, which this run reads; not "
                                                "overwritten (write the report outside the "
                                                "folder)", folder=name))
    for name in settings:
        try:
            if os.path.samefile(name, output):
                raise DestinationError(output, Text("is this run's configuration; not "
                                                    "overwritten"))
        except OSError:
            continue


class AtomicFile:
    """A text file that appears under its name only once ``commit()`` is called."""

    def __init__(self, target: Path, *, encoding: str = "utf-8"):
        self.target = target
        self._direct = _is_special(target)
        self._temp: Path | None = None
        try:
            if self._direct:
                self.stream: IO[str] = open(target, "w", encoding=encoding, newline="")  # noqa: SIM115
                return
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".skjult-tmp",
                                            dir=target.parent if str(target.parent) else ".")
            self._temp = Path(temp)
            mode = _mode_of(target)
            if mode is not None:
                os.chmod(handle, mode)
            _keep_owner(handle, target)
            self.stream = os.fdopen(handle, "w", encoding=encoding, newline="")
        except OSError as exc:
            raise DestinationError(target, _cannot_write(exc)) from None

    def commit(self) -> None:
        """Flush everything to disk and put the file in place; raises ``DestinationError``."""
        try:
            self.stream.flush()
            if not self._direct:
                os.fsync(self.stream.fileno())
            self.stream.close()
            if self._temp is not None:
                os.replace(self._temp, self.target)
                self._temp = None
        except OSError as exc:
            self.discard()
            raise DestinationError(self.target, _cannot_write(exc)) from None

    def discard(self) -> None:
        """Drop what was written; the target stays as it was."""
        with contextlib.suppress(OSError):
            self.stream.close()
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)
            self._temp = None


def _keep_owner(handle: int, target: Path) -> None:
    """The replacement belongs to whoever owned the file (root fixing a user's draft in a
    container must not take it from them); only root can give a file away, so others skip it."""
    try:
        info = target.stat()
    except OSError:
        return
    if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(handle, info.st_uid, info.st_gid)


def _mode_of(path: Path) -> int | None:
    """The permissions the file has now (kept across the rewrite); None for a new file, which
    gets the usual ones (0666 less the umask) rather than mkstemp's private 0600."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target``'s content with ``data`` in one step, keeping its permissions."""
    out = AtomicFile(target)
    try:
        out.stream.buffer.write(data)  # type: ignore[attr-defined]
    except OSError as exc:
        out.discard()
        raise DestinationError(target, _cannot_write(exc)) from None
    out.commit()
