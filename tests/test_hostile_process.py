"""Hostile input never runs code and never sinks a run: a planted cache file is never unpickled,
and a lost worker or Ctrl-C ends a ``--jobs`` run promptly, with one line and no traceback."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cached_pack import copied_pack, folders

from skjult.rules.cache import KEY_FILE, cached
from skjult.rules.pack import Pack, load_pack

POSIX = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")

# -- the compiled-pack cache --------------------------------------------------------------


class Payload:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return os.system, (f"touch {shlex.quote(str(self.marker))}",)


@pytest.fixture()
def pack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return copied_pack(tmp_path, monkeypatch)


class Loads:
    """A loader that counts how often the pack had to be read from YAML."""

    def __init__(self, root: Path) -> None:
        self.root, self.count = root, 0

    def __call__(self) -> Pack:
        self.count += 1
        return load_pack(self.root)


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("pack-*.pickle"))


def test_a_planted_pickle_is_never_loaded(pack_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = pickle.dumps(Payload(marker))
    pickle.loads(evil)  # the payload is real: unpickled, it runs
    assert marker.exists()
    marker.unlink()
    cached(pack_dir, "t", Loads(pack_dir), folders)
    [entry] = entries(tmp_path / "cache")
    for planted in (evil, bytes(32) + evil, entry.read_bytes()[:32] + evil):  # bare, or signed wrong
        entry.write_bytes(planted)
        load = Loads(pack_dir)
        pack = cached(pack_dir, "t", load, folders)
        assert not marker.exists()
        assert load.count == 1 and pack.rule("uk.label-risky") is not None
        assert cached(pack_dir, "t", Loads(pack_dir), folders).name == "uk"  # rewritten, valid


@POSIX
def test_the_cache_is_private_and_a_shared_folder_is_not_used(pack_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached(pack_dir, "t", Loads(pack_dir), folders)
    assert cache.stat().st_mode & 0o777 == 0o700
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in cache.iterdir())
    before = {f.name: f.stat().st_mtime_ns for f in cache.iterdir()}
    for mode in (0o770, 0o707):  # group- or world-writable: others could plant an entry
        cache.chmod(mode)
        load = Loads(pack_dir)
        cached(pack_dir, "t", load, folders)
        assert load.count == 1  # not read...
        assert {f.name: f.stat().st_mtime_ns for f in cache.iterdir()} == before  # ...nor written
    cache.chmod(0o700)
    load = Loads(pack_dir)
    cached(pack_dir, "t", load, folders)
    assert load.count == 0


@POSIX
def test_an_entry_others_could_write_or_a_key_others_could_read_is_not_trusted(
        pack_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached(pack_dir, "t", Loads(pack_dir), folders)
    [entry] = entries(cache)
    entry.chmod(0o666)
    load = Loads(pack_dir)
    cached(pack_dir, "t", load, folders)
    assert load.count == 1 and entry.stat().st_mode & 0o777 == 0o600  # replaced
    key = (cache / KEY_FILE).read_bytes()
    (cache / KEY_FILE).chmod(0o644)
    load = Loads(pack_dir)
    cached(pack_dir, "t", load, folders)
    assert load.count == 1 and (cache / KEY_FILE).read_bytes() != key  # a new key, a new entry


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs chown")
def test_an_entry_of_another_user_is_not_loaded(pack_dir: Path, tmp_path: Path) -> None:
    cached(pack_dir, "t", Loads(pack_dir), folders)
    [entry] = entries(tmp_path / "cache")
    os.chown(entry, 4242, 4242)  # correctly signed, but not the user's own file
    load = Loads(pack_dir)
    cached(pack_dir, "t", load, folders)
    assert load.count == 1


# -- worker processes ---------------------------------------------------------------------

DEADLINE = 60  # seconds a run may take to end once a worker is gone or Ctrl-C is pressed


@pytest.fixture(scope="module")
def many_posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough posts (about 30 batches) that the workers are still busy when they are hit."""
    path = tmp_path_factory.mktemp("posts") / "posts.jsonl"
    captions = ["Tak for gaven @brand 🎁", "Brug koden SOMMER20 hos @butik", "Fisketur ved åen",
                "Reklame for @tehuset | ny te", "Ny stang fra @fiskegrej link i bio"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(8000):
            post = {"id": f"p{i}", "creator": f"c{i % 40}", "caption": f"{captions[i % 5]} {i}"}
            out.write(json.dumps(post, ensure_ascii=False) + "\n")
    return path


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def running(pid: int) -> bool:
    """Alive, not a zombie nobody reaped (a container's init may not reap orphans)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture()
def run_with_workers(many_posts: Path, tmp_path: Path) -> Iterator[Callable[[], tuple[
        subprocess.Popen[str], list[int]]]]:
    """Starts ``skjult check --jobs 2`` in its own process group; returns it once both workers
    are up and checking."""
    started: list[subprocess.Popen[str]] = []

    def start() -> tuple[subprocess.Popen[str], list[int]]:
        env = {**os.environ, "SKJULT_CACHE_DIR": str(tmp_path / "cache")}
        run = subprocess.Popen([sys.executable, "-m", "skjult.cli", "check", str(many_posts),
                                "--jobs", "2", "--format", "jsonl", "--no-config", "--lang", "en",
                                "-o",
                                str(tmp_path / "out.jsonl")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
        started.append(run)
        until = time.monotonic() + DEADLINE
        while len(workers := children(run.pid)) < 2:
            assert run.poll() is None and time.monotonic() < until, "the workers never started"
            time.sleep(0.05)
        time.sleep(0.3)  # into the checking, past start-up
        assert run.poll() is None, "the run ended before the test could interrupt it"
        return run, workers

    yield start
    for run in started:  # a run that hung is not left behind
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()


def ended(run: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, err = run.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the run still waits {DEADLINE} s later")
    return run.returncode, err


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds workers through /proc")
def test_a_killed_worker_ends_the_run_with_one_line(run_with_workers: Callable[[], tuple[
        subprocess.Popen[str], list[int]]]) -> None:
    run, workers = run_with_workers()
    os.kill(workers[0], signal.SIGKILL)
    code, err = ended(run)
    assert code == 2
    assert "Traceback" not in err and "worker process was lost" in err and "signal 9" in err
    assert len(err.strip().splitlines()) == 1, err
    time.sleep(0.5)
    assert not any(running(pid) for pid in workers)  # the other worker did not outlive the run


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds workers through /proc")
def test_ctrl_c_stops_the_run_without_worker_tracebacks(run_with_workers: Callable[[], tuple[
        subprocess.Popen[str], list[int]]]) -> None:
    run, workers = run_with_workers()
    os.killpg(run.pid, signal.SIGINT)  # as the terminal does: the whole process group
    code, err = ended(run)
    assert code != 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    time.sleep(0.5)
    assert not any(running(pid) for pid in workers)
