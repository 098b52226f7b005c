"""Optimisations must not change results: the full JSONL output on a fixed corpus equals the
reference written before them (benchmarks/reference.py), and --jobs N equals --jobs 1."""

from __future__ import annotations

import gzip
import json
import runpy
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "reference.py"
REF: dict[str, Any] = runpy.run_path(str(BENCH))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("equality")
    REF["write_corpus"](folder)
    return folder


def _first_difference(got: list[str], want: list[str]) -> str:
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            mine, theirs = json.loads(a), json.loads(b)
            keys = [k for k in theirs if mine.get(k) != theirs.get(k)]
            return f"post {i + 1} ({theirs.get('id')}) differs in {keys}:\n{a}\n{b}"
    return f"{len(got)} posts, reference has {len(want)}"


def test_output_equals_the_reference(corpus: Path) -> None:
    want = gzip.decompress(REF["GOLDEN"].read_bytes()).decode("utf-8").splitlines()
    got = REF["run_check"](corpus).splitlines()
    assert got == want, _first_difference(got, want)


def test_two_jobs_give_the_same_output_in_the_same_order(corpus: Path) -> None:
    want = gzip.decompress(REF["GOLDEN"].read_bytes()).decode("utf-8").splitlines()
    got = REF["run_check"](corpus, "--jobs", "2").splitlines()
    assert got == want, _first_difference(got, want)


def test_benchmark_script_runs_small() -> None:
    """CI runs the benchmark at toy sizes to catch breakage; the numbers are not judged here."""
    import subprocess
    import sys

    script = BENCH.parent / "run.py"
    done = subprocess.run([sys.executable, str(script), "--quick", "--json"], capture_output=True,
                          text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["scaling"]["identical"] is True
    assert result["throughput"]["floor_posts_per_s"] > 0 and result["memory"]["large_kib"] > 0


def test_a_fresh_pipeline_midway_changes_nothing(corpus: Path) -> None:
    """Long runs replace the spaCy pipeline when its vocabulary has grown (memory stays flat)."""
    from skjult.engine import Checker
    from skjult.readers.records import post_from_mapping

    def posts() -> list[Any]:
        lines = (corpus / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:600]
        return [post_from_mapping(json.loads(line), position=str(i)) for i, line in enumerate(lines)]

    steady = Checker()
    renewed = Checker()
    renewed.vocab_growth = 50  # a new pipeline after almost every batch
    first_nlp = renewed.nlp
    want = [json.dumps(r.to_dict()) for r in steady.iter_results(posts())]
    got = [json.dumps(r.to_dict()) for r in renewed.iter_results(posts())]
    assert renewed.nlp is not first_nlp
    assert got == want
