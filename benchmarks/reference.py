"""Writes the reference output the equality test compares against (tests/golden/equality.jsonl).

usage: python benchmarks/reference.py

Run it only when a change of results is intended (a rule changed); an optimisation must leave the
file as it is. It checks the fixed corpus (benchmarks/corpus.py, 1,000 posts, seed 1) with the
built-in Danish pack and no configuration, and stores the JSONL output as it is (plain text,
so that a change of results shows in review, post by post).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parent / "tests" / "golden" / "equality.jsonl"
POSTS, SEED = 1000, 1
NAME = "corpus.jsonl"


def write_corpus(folder: Path) -> Path:
    sys.path.insert(0, str(HERE))
    from corpus import posts  # benchmarks/ is not a package

    path = folder / NAME
    with path.open("w", encoding="utf-8") as out:
        for post in posts(POSTS, SEED):
            out.write(json.dumps(post, ensure_ascii=False) + "\n")
    return path


def run_check(folder: Path, *extra: str) -> str:
    """``skjult check corpus.jsonl --format jsonl`` inside ``folder`` (so sources are relative)."""
    from click.testing import CliRunner

    from skjult.cli import main

    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, ["check", NAME, "--format", "jsonl", "--no-config",
                                           "--no-progress", *extra])
    finally:
        os.chdir(cwd)
    if result.exit_code not in (0, 1):
        raise SystemExit(f"skjult failed: {result.output}")
    return result.stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_corpus(Path(tmp))
        output = run_check(Path(tmp))
    GOLDEN.write_text(output, encoding="utf-8", newline="\n")
    print(f"wrote {GOLDEN} ({output.count(chr(10))} posts)")


if __name__ == "__main__":
    main()
