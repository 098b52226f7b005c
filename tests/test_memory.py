"""Memory and time of the real ``skjult check`` on inputs built to exhaust them: a 50 MB caption
(in JSON Lines, a JSON array and a CSV cell), zip bombs (one member expanding to 1 GiB, as one
line and as millions of small posts) and a gzip bomb.

Each case runs in a fresh interpreter, so its peak memory is its own: the child reports its peak
RSS (``ru_maxrss``) as it exits, and the parent also polls the kernel's high-water mark
(``VmHWM`` in ``/proc/<pid>/status``), so that a child stopped for using too much still has a
measurement. A child is stopped at KILL_RSS_MB or WALL_BOUND_S so that a failing case cannot take
the CI machine down with it.

Bounds: PEAK_RSS_BOUND_MB is what a streaming reader needs — the interpreter, spaCy's blank
pipeline and the rule packs take ~110 MB (``test_control_run`` shows the figure), and a record
may be held up to the readers' limits (16 MB of text, a few times over while it is decoded) —
with room to spare. Healthy runs take seconds; WALL_BOUND_S leaves room for a slow CI machine.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_cli import Run, check_args, child_env, contract_problems, describe, snapshot, snapshot_changes

PEAK_RSS_BOUND_MB = 600
KILL_RSS_MB = 1500  # the case has failed by then; stop before the machine swaps
WALL_BOUND_S = 60.0
MiB = 1 << 20
GiB = 1 << 30

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").is_file(),
                                reason="measures memory through /proc (Linux)")

MARK = "skjult-test-peak-rss-kib="
# The CLI as its console script runs it, plus its own peak RSS on the way out (also on SystemExit).
CHILD = textwrap.dedent(f"""
    import resource, sys
    from skjult.cli import main
    try:
        main(prog_name="skjult")
    finally:
        sys.stderr.write("\\n{MARK}%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
""")


def _high_water_kib(pid: int) -> int | None:
    """The kernel's record of the process's peak RSS so far (KiB), or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


@dataclass
class Measured:
    run: Run
    peak_mb: float


def run_measured(paths: list[Path], inputs: Path, out: Path) -> Measured:
    """``skjult check PATHS`` in a child process, with its peak RSS; stopped at KILL_RSS_MB or
    WALL_BOUND_S."""
    out.mkdir(parents=True)
    (out / "tmp").mkdir()
    home, cwd = out.parent / "home", out.parent / "cwd"
    home.mkdir()
    cwd.mkdir()
    report = out / "out.json"
    before = snapshot(inputs)
    stdout_path, stderr_path = out.parent / "stdout.txt", out.parent / "stderr.txt"
    peak_kib, note = 0, ""
    started = time.monotonic()
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        child = subprocess.Popen([sys.executable, "-c", CHILD, *check_args(paths, report)],
                                 cwd=cwd, env=child_env(out, home), stdout=stdout, stderr=stderr)
        while child.poll() is None:
            peak_kib = max(peak_kib, _high_water_kib(child.pid) or 0)
            elapsed = time.monotonic() - started
            if peak_kib > KILL_RSS_MB * 1024:
                note = f"stopped at {peak_kib / 1024:.0f} MB RSS after {elapsed:.1f} s"
            elif elapsed > WALL_BOUND_S:
                note = f"stopped after {elapsed:.0f} s"
            if note:
                child.kill()
                child.wait()
                break
            time.sleep(0.05)
    seconds = time.monotonic() - started
    err_lines = stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in err_lines:
        if line.startswith(MARK):
            peak_kib = max(peak_kib, int(line[len(MARK):]))
    err = "\n".join(line for line in err_lines if not line.startswith(MARK))
    strays = [f"created {p}" for p in (*cwd.rglob("*"), *home.rglob("*"))]
    run = Run(None if note else child.returncode,
              stdout_path.read_text(encoding="utf-8", errors="replace"), err, seconds, report,
              None, strays, snapshot_changes(before, snapshot(inputs)), note)
    return Measured(run, peak_kib / 1024)


# -- hostile inputs, written in chunks so that the test itself stays small -------------------
CAPTION_WORDS = "Tak for gaven @brand, brug koden ANNE10 #ad 🎁 "  # words, not one endless token
NORMAL = {"creator": "anne", "caption": "Reklame for @tehuset | ny te 🍵"}


def _caption_chunks(size: int, words: str = CAPTION_WORDS) -> list[str]:
    """About ``size`` bytes of caption text, as 1 MiB chunks of the same string."""
    chunk = words * (MiB // len(words.encode()))
    return [chunk] * max(1, size // len(chunk.encode()))


def jsonl_long_caption(folder: Path) -> Path:
    path = folder / "posts.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(NORMAL) + "\n")
        f.write('{"creator": "anne", "caption": "')
        for chunk in _caption_chunks(50 * MiB):
            f.write(chunk)
        f.write('"}\n')
        f.write(json.dumps(NORMAL) + "\n")
    return path


def json_long_caption(folder: Path) -> Path:
    path = folder / "posts.json"
    with path.open("w", encoding="utf-8") as f:
        f.write("[" + json.dumps(NORMAL) + ', {"creator": "anne", "caption": "')
        for chunk in _caption_chunks(50 * MiB):
            f.write(chunk)
        f.write('"}, ' + json.dumps(NORMAL) + "]\n")
    return path


def csv_long_cell(folder: Path) -> Path:
    path = folder / "posts.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(f'caption,creator\n"{NORMAL["caption"]}",anne\n"')
        for chunk in _caption_chunks(50 * MiB):
            f.write(chunk.replace('"', '""'))
        f.write(f'",anne\n"{NORMAL["caption"]}",anne\n')
    return path


def _deflated_member(archive: Path, member: str, head: bytes, body: bytes, size: int,
                     tail: bytes) -> None:
    """A zip whose one member is ``head``, ``body`` repeated to ``size`` bytes, ``tail``."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open(member, "w", force_zip64=True) as f:
        f.write(head)
        block = body * (16 * MiB // len(body))
        for _ in range(size // len(block)):
            f.write(block)
        f.write(tail)


def zip_bomb_one_line(folder: Path) -> Path:
    """~1 MB of zip; its posts.jsonl is one line of 1 GiB."""
    path = folder / "export.zip"
    _deflated_member(path, "posts.jsonl", b'{"creator": "bomb", "caption": "', b"a", GiB, b'"}\n')
    return path


def zip_bomb_many_lines(folder: Path) -> Path:
    """~3.7 MB of zip; its posts.jsonl is 1 GiB of the same small post (16 million lines)."""
    path = folder / "export.zip"
    line = json.dumps({"creator": "bomb", "caption": "Tak for gaven @brand #reklame"}).encode() + b"\n"
    _deflated_member(path, "posts.jsonl", b"", line, GiB, b"")
    return path


def gzip_bomb_json(folder: Path) -> Path:
    """~1 MB of .json.gz; a JSON array whose one caption is 1 GiB."""
    path = folder / "posts.json.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(b'[{"creator": "bomb", "caption": "')
        block = b"ab " * (16 * MiB // 3)
        for _ in range(GiB // len(block)):
            f.write(block)
        f.write(b'"}]\n')
    return path


def control(folder: Path) -> Path:
    path = folder / "posts.jsonl"
    path.write_text(json.dumps(NORMAL) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], Path]
    records: int | None  # how many records the report must account for (None: any)


CASES = {
    "jsonl-50mb-caption": Case(jsonl_long_caption, 3),
    "json-array-50mb-caption": Case(json_long_caption, 3),
    "csv-50mb-cell": Case(csv_long_cell, 3),
    "zip-bomb-one-line": Case(zip_bomb_one_line, None),
    "zip-bomb-many-lines": Case(zip_bomb_many_lines, None),
    "gzip-bomb-json": Case(gzip_bomb_json, None),
}


def _check(case: Case, tmp_path: Path) -> Measured:
    inputs = tmp_path / "in"
    inputs.mkdir()
    path = case.build(inputs)
    measured = run_measured([path], inputs, tmp_path / "out")
    run = measured.run
    problems = contract_problems(run, WALL_BOUND_S)
    if measured.peak_mb > PEAK_RSS_BOUND_MB:
        problems.append(f"peak RSS {measured.peak_mb:.0f} MB (bound {PEAK_RSS_BOUND_MB} MB)")
    if case.records is not None and run.code in (0, 1) and run.report.is_file():
        # nothing is lost: every record is a checked post or a counted skip
        totals = json.loads(run.report.read_text(encoding="utf-8")).get("totals", {})
        if totals.get("read") != case.records:
            problems.append(f"the report accounts for {totals.get('read')} records, the input has "
                            f"{case.records}")
    message = describe(run, problems) + f"\npeak RSS: {measured.peak_mb:.0f} MB"
    print(f"{path.name} ({path.stat().st_size / MiB:.1f} MB on disk): exit {run.code}, "
          f"{run.seconds:.1f} s, peak RSS {measured.peak_mb:.0f} MB")
    assert not problems, message
    return measured


def test_control_run(tmp_path: Path) -> None:
    """A one-post file: the measurement works, and shows the baseline the bound allows for."""
    measured = _check(Case(control, 1), tmp_path)
    assert measured.run.code in (0, 1) and measured.peak_mb > 0


@pytest.mark.parametrize("name", list(CASES))
def test_bounded_memory_and_time(name: str, tmp_path: Path) -> None:
    _check(CASES[name], tmp_path)

