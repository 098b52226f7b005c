"""Output rendered where posts are judged (issue 16): for the formats whose text for a post needs
that post alone, workers send back the finished text and a small ``Digest`` per post, not the
results. The report must stay byte for byte what ``Formatter.post`` writes, the totals and the
suppressions counted as from the results, for one job and for two, forked or spawned; and a run
stopped while a worker was sending a batch back must end instead of waiting for ever."""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.checker import Checker
from skjult.cli import main
from skjult.config import Config, Suppression
from skjult.model import Post
from skjult.readers.base import ReadOptions
from skjult.readers.detect import read_path
from skjult.report import FORMATTERS, formatter, formatter_class
from skjult.report.base import Blueprint, Formatter
from skjult.report.summary import Digest, Report
from skjult.report.terminal import encodable
from skjult.run import parallel
from skjult.run.runner import Runner

HERE = Path(__file__).parent
DRAFTS = HERE / "fixtures" / "drafts"
EXPORTS = HERE / "fixtures" / "exports"
PER_POST = ("jsonl", "json", "line")
TODAY = dt.date(2026, 6, 1)

CAPTIONS = [
    "Brug koden KARL15 hos @sokkeriet",  # suppressed for karl (configuration)
    "Tak for gaven @brand 🎁",
    "Fisketur ved åen",
    "Reklame for @tehuset | ny te",
    "Ny stang fra @fiskegrej link i bio",
    "𝐑𝐞𝐤𝐥𝐚𝐦𝐞 morgenløb\u2028i regnen",
    "Sponsored | half an emoji \ud83c and a bell \x07 and \x1b[31mred",  # lone surrogate, controls
    "",
    "Annonce: @vinhuset 🍷 skål!\nlinje to\r\nlinje tre",
]


def _posts() -> list[Post]:
    """Captions of every verdict, hostile text, the drafts (their own suppressions, positions in
    the file) and a YouTube export (parts of one text), from several files."""
    posts: list[Post] = []
    for i in range(600):  # more than two batches of a worker
        caption = CAPTIONS[i % len(CAPTIONS)] or f"Dag {i}"
        posts.append(Post(text=f"{caption} {i}", id=f"p-{i}" if i % 7 else None,
                          creator=None if i % 11 == 0 else ("karl" if i % 3 == 0 else f"c{i % 13}"),
                          platform="instagram", created_at=f"2026-0{1 + i % 9}-01T12:00:00Z",
                          file=f"f{i % 3}.jsonl", source=f"f{i % 3}.jsonl:line {i}"))
    options = ReadOptions()
    for folder in (DRAFTS, EXPORTS / "takeout-20251001T101010Z-001"):
        posts += [item for item in read_path(str(folder), options) if isinstance(item, Post)]
    assert any(post.suppress for post in posts) and any(post.parts for post in posts)
    return posts


@pytest.fixture(scope="module")
def suppressing() -> Checker:
    """A checker whose configuration suppresses (one used, one expired that still matches)."""
    used = Suppression("dk.label-missing", "Own shop", creator="karl")
    expired = Suppression("dk.*", "Old deal", creator="c1", expires=dt.date(2020, 1, 1))
    return Checker("dk", lang="en", config=Config(suppressions=(used, expired)), today=TODAY)


def _by_results(checker: Checker, name: str, jobs: int) -> tuple[str, Report, Any]:
    """The report as before issue 16: every result to this process, ``post()`` for each."""
    runner = Runner(checker.ruleset, checker.lang, judge=checker.runner.judge)
    out, report = io.StringIO(), Report()
    sink = formatter(name, out, lang=checker.lang, rules=checker.rules)
    for result in runner.results(_posts(), jobs):
        report.add(result)
        sink.post(result)
    report.suppressions = runner.ledger.status()
    sink.finish(report)
    return out.getvalue(), report, runner.ledger.status()


def _by_texts(checker: Checker, name: str, jobs: int) -> tuple[str, Report, Any]:
    """The report as the command line makes it now: texts and digests."""
    runner = Runner(checker.ruleset, checker.lang, judge=checker.runner.judge)
    out, report = io.StringIO(), Report()
    sink = formatter(name, out, lang=checker.lang, rules=checker.rules)
    for digest, text in runner.rendered(_posts(), sink.blueprint(), jobs):
        report.add_digest(digest)
        sink.post_texts(text, 1)
    report.suppressions = runner.ledger.status()
    sink.finish(report)
    return out.getvalue(), report, runner.ledger.status()


def _totals(report: Report) -> dict[str, Any]:
    return {"totals": report.totals(), "creators": [c.to_dict() for c in report.sorted_creators()],
            "files": {k: v.to_dict() for k, v in report.files.items()},
            "highest": report.highest, "suppressions": report.suppressions}


def test_which_formats_render_a_post_alone() -> None:
    """github counts the annotations it has shown (GitHub shows ten per kind): its text for a
    post depends on the posts before it. csv, sarif, text and html gather or group posts."""
    alone = {name for name in FORMATTERS if formatter_class(name).per_post_text}
    assert alone == set(PER_POST)


@pytest.mark.parametrize("name", PER_POST)
@pytest.mark.parametrize("jobs", [1, 2])
def test_texts_and_digests_write_what_results_write(suppressing: Checker, name: str,
                                                    jobs: int) -> None:
    want, report, ledger = _by_results(suppressing, name, 1)
    got, new_report, new_ledger = _by_texts(suppressing, name, jobs)
    assert got == want
    assert _totals(new_report) == _totals(report)
    assert new_ledger == ledger
    states = {row["rule"]: (row["status"], row["findings"] > 0) for row in ledger}
    assert states["dk.label-missing"] == ("used", True) and states["dk.*"] == ("expired", True)
    assert ("used", True) in {(row["status"], row["findings"] > 0) for row in ledger
                              if "honning.md" in row["where"]}  # a draft's own
    assert report.suppressed and report.highest is not None


@pytest.mark.parametrize("name", PER_POST)
def test_text_is_what_post_writes(checker: Checker, name: str) -> None:
    for result in checker.iter_results(_posts()[:40] + _posts()[-10:]):
        out = io.StringIO()
        sink = formatter(name, out, lang="en")
        sink.post(result)
        # what reaches the file has lone surrogates replaced (``Encodable``), as before
        assert out.getvalue() == encodable(sink.text(result))


def test_a_digest_counts_what_its_result_counts(suppressing: Checker) -> None:
    for result in suppressing.iter_results(_posts()[:60]):
        digest = Digest.of(result)
        assert pickle.loads(pickle.dumps(digest)) == digest
        assert digest.is_commercial == result.is_commercial
        assert set(digest.categories) == {f.category for f in result.findings}
        one, other = Report(keep_results=True), Report()
        one.add(result)
        other.add_digest(digest)
        assert _totals(one) == _totals(other)
        assert one.results == [result] and not other.results


def test_a_blueprint_builds_the_same_formatter_in_another_process(checker: Checker) -> None:
    sink = formatter("line", io.StringIO(), lang="en", rules=checker.rules)
    blueprint = pickle.loads(pickle.dumps(sink.blueprint()))  # as a spawned worker gets it
    assert isinstance(blueprint, Blueprint)
    again = blueprint.build()
    assert type(again) is type(sink) and again.lang == "en" and again.rules == tuple(checker.rules)
    for result in checker.iter_results(_posts()[:30]):
        assert again.text(result) == sink.text(result)


def test_a_format_without_its_own_text_says_so() -> None:
    sink = formatter("github", io.StringIO())
    assert not sink.per_post_text
    with pytest.raises(NotImplementedError):
        sink.text(next(Checker().iter_results([Post(text="Tak for gaven @brand")])))
    assert Formatter.text_separator == ""


def test_spawned_workers_render_the_same(checker: Checker, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """Where processes cannot fork, workers get the rule set and the blueprint pickled."""
    posts = _posts()[:300]
    sink = formatter("jsonl", io.StringIO(), lang="en")
    want = [(Digest.of(r), sink.text(r)) for r in checker.iter_results(posts)]
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    got = list(parallel.rendered(checker.runner.judge, posts, 2, sink.blueprint()))
    assert got == want


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--no-config", "--lang", "en", "--no-progress"])
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lines") / "posts.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(700):
            caption = CAPTIONS[i % len(CAPTIONS)] or f"Dag {i}"
            out.write(json.dumps({"id": f"p{i}", "creator": f"c{i % 17}", "caption": caption}) + "\n")
    return path


@pytest.mark.parametrize("name", PER_POST)
def test_the_command_writes_the_same_either_way(export: Path, name: str) -> None:
    """``--fix`` needs whole results, so it takes the old way; exports are never edited, so
    the report must be the same as the new way's, for one job and two."""
    code, want = _cli("check", str(export), "-f", name, "--fix")
    for jobs in ("1", "2"):
        again, got = _cli("check", str(export), "-f", name, "--jobs", jobs)
        if name == "json":  # the run's date differs
            got, want = (json.dumps({**json.loads(x), "run": None}) for x in (got, want))
        assert (again, got) == (code, want)


# -- stopping while a worker sends a batch back -------------------------------------------

# A judge for the workers that, on the post "stall", writes half a message into the pool's
# result pipe, as a worker ended in the middle of sending a batch back leaves it (the pool's
# manager thread then waits for the rest of it), and then waits to be ended or kills itself.
# Posts here are plain strings: the pool passes them through as they are.
HALF_SENDER = textwrap.dedent('''
    import os, signal, struct, sys, time
    from pathlib import Path
    from skjult.run import parallel

    MODE, MARKER = sys.argv[1], Path(sys.argv[2])

    class HalfSender:
        ruleset = None
        lang = "da"

        def results(self, batch):
            for post in batch:
                if post == "stall":
                    if MODE == "stop":  # once the reader has had the first batch
                        while not MARKER.exists():
                            time.sleep(0.01)
                    frame = sys._getframe()
                    while "result_queue" not in frame.f_locals:  # the pool's worker loop
                        frame = frame.f_back
                    pipe = frame.f_locals["result_queue"]._writer
                    os.write(pipe.fileno(), struct.pack("!i", 1 << 20) + b"\\x80" * 1000)
                    if MODE == "killed":
                        os.kill(os.getpid(), signal.SIGKILL)
                    time.sleep(600)
                yield post

    posts = ["post"] * parallel.BATCH + ["stall"] + ["post"] * 10
    results = parallel.results(HalfSender(), posts, 2)
    if MODE == "stop":  # the reader stops reading (`| head`) while the worker is mid-send
        assert next(results) == "post"
        MARKER.touch()
        time.sleep(1.5)
        results.close()
        print("stopped")
    else:  # a worker killed mid-send (the out-of-memory killer)
        try:
            for _ in results:
                pass
        except parallel.WorkerLost as exc:
            print(exc)
''')


def _half_sender(tmp_path: Path, mode: str) -> tuple[subprocess.CompletedProcess[str], float]:
    script = tmp_path / "half_sender.py"
    script.write_text(HALF_SENDER, encoding="utf-8")
    start = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(script), mode, str(tmp_path / "marker")],
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the run still waits 60 s later")
    return done, time.monotonic() - start


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers and their pipes")
def test_a_reader_that_stops_while_a_worker_sends_does_not_hang(tmp_path: Path) -> None:
    done, took = _half_sender(tmp_path, "stop")
    assert done.returncode == 0 and done.stdout == "stopped\n", done.stderr
    assert took < 30


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers and their pipes")
def test_a_worker_killed_while_it_sends_is_lost_not_waited_for(tmp_path: Path) -> None:
    done, took = _half_sender(tmp_path, "killed")
    assert done.returncode == 0, done.stderr
    assert "worker process was lost (killed by signal 9" in done.stdout
    assert took < 30


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers and pipes")
def test_head_ends_a_run_with_workers(export: Path) -> None:
    """``skjult check … --jobs 2 | head -1``: the run ends (1: findings so far), no hang."""
    runs = []
    for _ in range(3):
        reader = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        run = subprocess.Popen([sys.executable, "-m", "skjult.cli", "check", str(export), "-f",
                                "jsonl", "--jobs", "2", "--no-config", "--no-progress"],
                               stdout=reader.stdin, stderr=subprocess.PIPE)
        assert reader.stdin is not None
        reader.stdin.close()
        try:
            _, err = run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            run.kill()
            pytest.fail("the run still waits 60 s after its reader stopped")
        assert reader.stdout is not None
        line = reader.stdout.read()
        reader.wait()
        runs.append((run.returncode, json.loads(line)["id"]))
        assert b"Traceback" not in err
    assert runs == [(1, "p0")] * 3
