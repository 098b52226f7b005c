"""skjult against the floor: throughput, memory, start-up and --jobs scaling.

usage: python benchmarks/run.py [--small N] [--large N] [--repeat K] [--quick] [--json]

- throughput: ``skjult check FILE --format jsonl`` against the floor — reading the same JSONL
  file, decoding each line with ``json`` and running one plain regex per caption — on the same
  file, one after the other; posts/s and the ratio skjult ÷ floor (target ≤ 3);
- memory: peak RSS of the same command at two sizes (target: large ≤ 1.2 × small);
- start-up: one caption on stdin in a fresh process against
  ``python -c "import spacy; spacy.blank('da')"``, median of K runs (target ≤ 1.3 ×);
- scaling: ``--jobs 2`` against ``--jobs 1`` on the large file (output compared byte for byte).

The corpus comes from benchmarks/corpus.py (deterministic). ``--quick`` runs tiny sizes: CI uses
it to catch breakage, not to time anything. Prints a table, or JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FLOOR = """
import json, re, sys
pattern = re.compile(r"reklame|annonce", re.IGNORECASE)
hits = 0
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        hits += bool(pattern.search(json.loads(line)["caption"]))
print(hits)
"""


def skjult_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "skjult.cli", *args]


def timed(command: list[str], stdin: str | None = None, out: Path | None = None) -> float:
    """Wall time of one run of ``command``."""
    started = time.perf_counter()
    with open(out or os.devnull, "wb") as sink:
        proc = subprocess.run(command, input=stdin.encode() if stdin else None, stdout=sink,
                              stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.decode()[-500:]}")
    return elapsed


def peak_rss(command: list[str]) -> int:
    """Peak RSS (KiB) of one command, polled from /proc (VmHWM is the high-water mark)."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    return peak


def write_corpus(path: Path, n: int) -> None:
    sys.path.insert(0, str(HERE))
    from corpus import posts  # benchmarks/ is not a package

    with path.open("w", encoding="utf-8") as out:
        for post in posts(n, seed=7, creators=2000):
            out.write(json.dumps(post, ensure_ascii=False) + "\n")


def throughput(corpus: Path, n: int, work: Path) -> dict[str, Any]:
    floor = timed([sys.executable, "-c", FLOOR, str(corpus)])
    start = timed(skjult_command("check", "-", "--no-config", "--format", "jsonl"), stdin="Hej\n")
    run = timed(skjult_command("check", str(corpus), "--no-config", "--format", "jsonl",
                                  "--no-progress"), out=work / "jobs1.jsonl")
    return {"posts": n, "floor_s": floor, "skjult_s": run, "startup_s": start,
            "floor_posts_per_s": n / floor, "skjult_posts_per_s": n / run,
            "ratio": run / floor,
            "skjult_posts_per_s_after_startup": n / max(run - start, 1e-9)}


def startup(repeat: int) -> dict[str, Any]:
    ours, blank = [], []
    for _ in range(repeat):
        ours.append(timed(skjult_command("check", "-", "--no-config"), stdin="Tak for gaven @brand\n"))
        blank.append(timed([sys.executable, "-c", "import spacy; spacy.blank('da')"]))
    return {"skjult_s": statistics.median(ours), "spacy_blank_s": statistics.median(blank),
            "ratio": statistics.median(ours) / statistics.median(blank)}


def memory(small: Path, large: Path) -> dict[str, Any]:
    args = ("--no-config", "--format", "jsonl", "-o", os.devnull, "--no-progress")
    a = peak_rss(skjult_command("check", str(small), *args))
    b = peak_rss(skjult_command("check", str(large), *args))
    return {"small_kib": a, "large_kib": b, "ratio": b / a if a else None}


def scaling(corpus: Path, work: Path, one: float) -> dict[str, Any]:
    two = timed(skjult_command("check", str(corpus), "--no-config", "--format", "jsonl",
                                  "--no-progress", "--jobs", "2"), out=work / "jobs2.jsonl")
    same = (work / "jobs1.jsonl").read_bytes() == (work / "jobs2.jsonl").read_bytes()
    return {"jobs1_s": one, "jobs2_s": two, "speedup": one / two, "identical": same}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", type=int, default=20_000)
    ap.add_argument("--large", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="tiny sizes, to check it runs")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if a.quick:
        a.small, a.large, a.repeat = 300, 1200, 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        small, large = work / "small.jsonl", work / "large.jsonl"
        write_corpus(small, a.small)
        write_corpus(large, a.large)
        result = {
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "processor": platform.processor() or platform.machine(),
                        "system": platform.platform()},
            "throughput": throughput(large, a.large, work),
            "startup": startup(a.repeat),
            "memory": memory(small, large),
        }
        result["scaling"] = scaling(large, work, result["throughput"]["skjult_s"])
    if a.json:
        print(json.dumps(result, indent=2))
        return 0 if result["scaling"]["identical"] else 1
    t, s, m, j = result["throughput"], result["startup"], result["memory"], result["scaling"]
    print(f"machine     {result['machine']['system']}, {result['machine']['cpus']} CPUs, "
          f"Python {result['machine']['python']}")
    print(f"throughput  {t['posts']} posts: floor {t['floor_s']:.2f} s "
          f"({t['floor_posts_per_s']:,.0f}/s), skjult {t['skjult_s']:.2f} s "
          f"({t['skjult_posts_per_s']:,.0f}/s; {t['skjult_posts_per_s_after_startup']:,.0f}/s "
          f"after start-up) → {t['ratio']:.1f}× the floor (target ≤ 3×)")
    print(f"memory      peak RSS {m['small_kib'] / 1024:.0f} MiB at {a.small} posts, "
          f"{m['large_kib'] / 1024:.0f} MiB at {a.large} → {m['ratio']:.2f}× (target ≤ 1.2×)")
    print(f"start-up    one caption {s['skjult_s']:.2f} s, spacy.blank('da') "
          f"{s['spacy_blank_s']:.2f} s → {s['ratio']:.2f}× (target ≤ 1.3×)")
    print(f"--jobs 2    {j['jobs2_s']:.2f} s vs {j['jobs1_s']:.2f} s → speed-up "
          f"{j['speedup']:.2f}×, output identical: {j['identical']}")
    return 0 if j["identical"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
