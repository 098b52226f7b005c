"""Running the real ``skjult check`` on hostile input and checking the CLI's contract.

Shared by ``test_fuzz.py`` and ``test_memory.py``. The contract (README, ``skjult check --help``):

- the exit code is 0, 1 or 2; a user never sees a traceback or an "internal error";
- with exit code 0 or 1 the JSON report exists, parses, and for every file (and in the totals)
  ``read == checked + skipped``;
- exit code 2 comes with at least one ``skjult: ...`` line on stderr saying why;
- the input is only read: nothing in the input folder is created, changed or removed, and
  nothing is written outside the output folder (the report, and temporary files there);
- the run ends within a time bound.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from skjult.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"
DRAFTS = FIXTURES / "drafts"
REPORT_NAME = "out.json"


def check_args(paths: Sequence[Path | str], report: Path) -> list[str]:
    """``skjult check`` as the tests run it: JSON report to a file, no configuration files (the
    tmp folder could lie below someone's skjult.toml), no progress line."""
    return ["check", *map(str, paths), "--format", "json", "-o", str(report), "--no-config",
            "--no-progress"]


# -- the input folder, before and after ---------------------------------------------------------
Snapshot = dict[str, tuple[int, str] | None]  # relative path -> (size, sha256); None: a folder


def snapshot(root: Path) -> Snapshot:
    """Every file and folder below ``root`` with its size and hash."""
    out: Snapshot = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir() and not path.is_symlink():
            out[rel + "/"] = None
        else:
            data = path.read_bytes()
            out[rel] = (len(data), hashlib.sha256(data).hexdigest())
    return out


def snapshot_changes(before: Snapshot, after: Snapshot) -> list[str]:
    changes = [f"created {p}" for p in sorted(after.keys() - before.keys())]
    changes += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    changes += [f"modified {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return changes


# -- writes anywhere, seen from inside the process ----------------------------------------------
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Audit events that change the file system besides "open" for writing: the positions of the
# paths they change in the event's arguments, each with the position of its ``dir_fd`` (or None).
_CHANGE_EVENTS: dict[str, tuple[tuple[int, int | None], ...]] = {
    "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),),
    "os.rename": ((0, 2), (1, 3)), "os.link": ((1, 3),), "os.symlink": ((1, 2),),
    "os.truncate": ((0, None),), "os.chmod": ((0, 2),), "os.chown": ((0, 3),),
    "os.utime": ((0, 3),), "shutil.rmtree": ((0, None),), "shutil.move": ((0, None), (1, None)),
    "shutil.copyfile": ((1, None),),
}


def _folder_of_fd(fd: Any) -> str | None:
    """The folder an open ``dir_fd`` stands for (Linux), or None."""
    if not isinstance(fd, int) or fd < 0:
        return None
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


class WriteWatch:
    """Records, through a ``sys.addaudithook`` hook, every file-system change the process makes
    while active, outside the ``allowed`` folders. An audit hook cannot be removed, so one hook
    is installed for the whole test session and only does work while a watch is active.

    The "open" event does not say which ``dir_fd`` a relative path is relative to (the rule-pack
    cache opens files that way), so a relative "open" is not judged here; one relative to the
    working folder is caught by comparing that folder before and after instead."""

    _active: WriteWatch | None = None
    _installed = False

    def __init__(self, allowed: Sequence[Path]):
        self.allowed = [os.path.realpath(p) for p in allowed]
        self.writes: list[str] = []

    @classmethod
    def _hook(cls, event: str, args: tuple[Any, ...]) -> None:
        watch = cls._active
        if watch is None:
            return
        if event == "open":
            path, _mode, flags = args
            if isinstance(flags, int) and flags & _WRITE_FLAGS and not isinstance(path, int) \
                    and os.path.isabs(os.fsdecode(os.fspath(path))):
                watch._note(event, path, None)
        for where, fd_at in _CHANGE_EVENTS.get(event, ()):
            if len(args) > where:
                fd = args[fd_at] if fd_at is not None and len(args) > fd_at else None
                watch._note(event, args[where], fd)

    def _note(self, event: str, path: Any, dir_fd: Any) -> None:
        if isinstance(path, int) or path is None:  # an fd already opened: seen when it was
            return
        try:
            name = os.fsdecode(os.fspath(path))
        except (TypeError, ValueError):
            self.writes.append(f"{event} {path!r}")
            return
        if not os.path.isabs(name):
            base = _folder_of_fd(dir_fd)
            if isinstance(dir_fd, int) and dir_fd >= 0 and base is None:
                self.writes.append(f"{event} {name!r} relative to an unknown dir_fd")
                return
            name = os.path.join(base or os.getcwd(), name)
        real = os.path.realpath(name)
        # Python itself may write bytecode when a module is first imported during the run.
        if f"{os.sep}__pycache__{os.sep}" in real:
            return
        if not any(real == root or real.startswith(root + os.sep) for root in self.allowed):
            self.writes.append(f"{event} {real}")

    def __enter__(self) -> WriteWatch:
        if not WriteWatch._installed:
            sys.addaudithook(WriteWatch._hook)
            WriteWatch._installed = True
        WriteWatch._active = self
        return self

    def __exit__(self, *exc: object) -> None:
        WriteWatch._active = None


# -- one run -------------------------------------------------------------------------------------
class RunTimeout(BaseException):
    """Raised by the alarm inside a run that takes too long. A BaseException, so that the CLI's
    ``except Exception`` (which turns bugs into "internal error") does not swallow it."""


@dataclass
class Run:
    code: int | None  # None: killed or timed out
    stdout: str
    stderr: str
    seconds: float
    report: Path
    uncaught: str | None = None  # an exception that escaped the CLI, with its traceback
    writes: list[str] = field(default_factory=list)  # file-system changes outside the output folder
    input_changes: list[str] = field(default_factory=list)
    note: str = ""  # e.g. why the run was stopped


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise RunTimeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _tempdir(folder: Path) -> Iterator[None]:
    """Temporary files of the run (the report spool) in ``folder``: the output side."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = previous


def run_in_process(paths: Sequence[Path], inputs: Path, out: Path, cache: Path,
                   timeout: float) -> Run:
    """``skjult check PATHS`` through click's ``CliRunner``, from an empty working folder, with
    every write outside ``out`` (and the rule-pack ``cache``, which is not the readers' doing)
    recorded, and the input folder compared before and after."""
    report = out / REPORT_NAME
    (out / "tmp").mkdir(parents=True, exist_ok=True)
    cwd = out.parent / "cwd"  # outside ``out``: a stray relative write there is seen
    cwd.mkdir(exist_ok=True)
    before = snapshot(inputs)
    runner = CliRunner()
    started = time.monotonic()
    code: int | None = None
    stdout = stderr = note = ""
    uncaught = None
    watch = WriteWatch([out, cache])
    try:
        with contextlib.chdir(cwd), _tempdir(out / "tmp"), watch, _alarm(timeout):
            result = runner.invoke(main, check_args(paths, report),
                                   env={"SKJULT_CACHE_DIR": str(cache)})
        code, stdout, stderr = result.exit_code, result.stdout, result.stderr
        # click keeps exc_info for every exit, but ``exception`` only for a real one
        if result.exception is not None and not isinstance(result.exception, SystemExit) \
                and result.exc_info is not None:
            uncaught = "".join(traceback.format_exception(*result.exc_info))
    except RunTimeout:
        note = f"stopped after {timeout:.0f} s"
    seconds = time.monotonic() - started
    strays = [f"created {p}" for p in cwd.rglob("*")]  # a relative write lands here
    return Run(code, stdout, stderr, seconds, report, uncaught, watch.writes + strays,
               snapshot_changes(before, snapshot(inputs)), note)


def child_env(out: Path, home: Path) -> dict[str, str]:
    """The environment of a CLI subprocess: its home, caches and temporary files inside the
    test's folders, so that anything it writes elsewhere shows up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKJULT_", "XDG_"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), TMPDIR=str(out / "tmp"),
               SKJULT_CACHE_DIR=str(out / "cache"), PYTHONDONTWRITEBYTECODE="1",
               LC_ALL="C.UTF-8")
    return env


def run_subprocess(paths: Sequence[Path], inputs: Path, out: Path, timeout: float) -> Run:
    """``skjult check PATHS`` in a fresh interpreter (a crash of the interpreter itself, e.g. a
    C stack overflow, shows as a negative return code here instead of ending pytest)."""
    report = out / REPORT_NAME
    (out / "tmp").mkdir(parents=True, exist_ok=True)
    cwd, home = out.parent / "cwd", out.parent / "home"
    cwd.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    before = snapshot(inputs)
    command = [sys.executable, "-c", "from skjult.cli import main; main(prog_name='skjult')",
               *check_args(paths, report)]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=cwd, env=child_env(out, home), capture_output=True,
                              text=True, errors="replace", timeout=timeout, check=False)
        code, stdout, stderr, note = done.returncode, done.stdout, done.stderr, ""
    except subprocess.TimeoutExpired as exc:
        code, note = None, f"killed after {timeout:.0f} s"
        stdout = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
    seconds = time.monotonic() - started
    strays = [f"created {p}" for p in [*map(str, cwd.rglob("*")), *map(str, home.rglob("*"))]]
    return Run(code, stdout, stderr, seconds, report, None, strays,
               snapshot_changes(before, snapshot(inputs)), note)


# -- the contract -------------------------------------------------------------------------------
def report_problems(report: Path) -> list[str]:
    """What is wrong with a JSON report that a run with exit code 0 or 1 must have written."""
    if not report.is_file():
        return ["exit code 0/1 but no JSON report was written"]
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"the JSON report does not parse: {exc}"]
    if not isinstance(data, dict):
        return ["the JSON report is not an object"]
    problems = []
    files = data.get("files")
    if not isinstance(files, dict):
        problems.append("the JSON report has no 'files' object")
        files = {}
    for name, totals in files.items():
        try:
            read, checked, skipped = totals["read"], totals["checked"], totals["skipped"]
        except (TypeError, KeyError):
            problems.append(f"files[{name!r}] lacks read/checked/skipped: {totals!r}")
            continue
        if read != checked + skipped:
            problems.append(f"files[{name!r}]: read {read} != checked {checked} + skipped {skipped}")
    totals = data.get("totals")
    if not isinstance(totals, dict) or not {"read", "checked", "skipped"} <= totals.keys():
        problems.append(f"the JSON report's totals lack read/checked/skipped: {totals!r}")
    elif totals["read"] != totals["checked"] + totals["skipped"]:
        problems.append(f"totals: read {totals['read']} != checked {totals['checked']} + skipped "
                        f"{totals['skipped']}")
    return problems


def contract_problems(run: Run, bound: float) -> list[str]:
    """Every broken invariant of one run, as sentences (empty: the run kept the contract)."""
    problems = []
    if run.note:
        problems.append(f"did not finish: {run.note}")
    if run.uncaught:
        problems.append(f"an exception escaped the CLI:\n{run.uncaught}")
    if run.code is not None and run.code not in (0, 1, 2):
        problems.append(f"exit code {run.code}, expected 0, 1 or 2")
    for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        if "Traceback" in text:
            problems.append(f"a traceback on {stream}")
        if "internal error" in text:
            problems.append(f"'internal error' on {stream}")
    if run.code == 2 and not any(line.startswith("skjult: ") for line in run.stderr.splitlines()):
        problems.append("exit code 2 without a 'skjult: ...' line on stderr saying why")
    if run.code in (0, 1):
        problems += report_problems(run.report)
    problems += [f"input folder changed: {c}" for c in run.input_changes]
    problems += [f"wrote outside the output folder: {w}" for w in run.writes]
    if run.seconds >= bound:
        problems.append(f"took {run.seconds:.1f} s (bound {bound:.0f} s)")
    return problems


def describe(run: Run, problems: list[str], limit: int = 3000) -> str:
    """A failure message: the broken invariants, then what the CLI said."""
    tail = run.stderr[-limit:]
    return ("\n".join(f"- {p}" for p in problems)
            + f"\nexit code: {run.code}, {run.seconds:.2f} s\nstderr (last {limit} chars):\n{tail}")
