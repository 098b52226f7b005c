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
