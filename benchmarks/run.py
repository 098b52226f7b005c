"""skjult against a floor of spaCy's tokenizer alone: speed, --jobs, growth, memory, start-up.

usage: python benchmarks/run.py [--large N] [--small N] [--growth N,N,...] [--repeat K]
                                [--quick] [--json]

Every figure comes from fresh processes on files written by benchmarks/corpus.py (seed 7,
2,000 creators; deterministic), and every time is wall time including start-up:

- floor: benchmarks/floor.py reads the JSONL, tokenizes each caption with the tokenizer skjult
  builds (``skjult.caption.new_pipeline("da").tokenizer``) and writes one JSON line per post;
- skjult: ``python -m skjult.cli check FILE --no-config --format jsonl --no-progress -o OUT``
  on the same file; posts/s and the ratio skjult ÷ floor (target ≤ 2.5×);
- --jobs 2 against --jobs 1 on the same file: speed-up (target ≥ 1.7×), outputs byte for byte;
- growth with posts: µs per post at each --growth size, start-up subtracted (the median of runs
  on a one-post file, spread over the whole run); flat within ±10 % of the first size;
- growth with caption length: µs per post and per 1,000 characters with captions of about 50,
  150, 1,000 and 5,000 characters (skjult and floor); per 1,000 characters must not grow by
  more than 10 % from one length to the next (linear or better);
- memory: peak RSS at --small and --large posts (target: large ≤ 1.2 × small);
- start-up: one caption on stdin against ``python -c "import spacy; spacy.blank('da')"``
  (target ≤ 1.3×).

The floor/skjult/--jobs 2 runs on the large file and the start-up runs alternate, K rounds, and
the median counts, so noise on a shared machine hits both sides; growth runs are one each (a
growth size equal to --large reuses the large runs). Prints a Markdown table for the README, or
JSON with --json (every run's wall and CPU time and peak RSS included). The µs rows also
give CPU time (user + system), which a busy machine disturbs less than wall time. Exit 1 when
--jobs 2 (or a repeated run) gives different output; targets not met do not fail the script.
--quick runs toy sizes (two caption lengths) in well under a minute: CI runs it to catch
breakage, it times nothing.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED, CREATORS = 7, 2000
LENGTHS = (50, 150, 1000, 5000)
GROWTH_SLACK = 0.10     # µs per post within ±10 % of the first size
LINEAR_SLACK = 1.10     # µs per 1,000 characters at most 1.1 × the previous length
TARGETS = {"ratio": 2.5, "speedup": 1.7, "memory": 1.2, "startup": 1.3}


@dataclass
class Run:
    seconds: float
    peak_kib: int
    cpu_s: float
    digest: str = ""       # sha256 of the output file, when there is one
    lines: int = 0         # lines in the output file


def run(command: Sequence[str], *, stdin: str = "", out: Path | None = None) -> Run:
    """One fresh process: wall time, peak RSS (its own or a child's) and CPU time.

    The output file, if any, is hashed and removed (a 1M-post report is ~1.6 GB).
    """
    with tempfile.TemporaryFile() as feed, tempfile.TemporaryFile() as err:
        feed.write(stdin.encode())
        feed.seek(0)
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), stdin=feed, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):   # 1: skjult found something at error level
            err.seek(0)
            tail = err.read().decode(errors="replace")[-800:]
            raise SystemExit(f"{' '.join(command)} exited {code}:\n{tail}")
    result = Run(elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
    if out is not None:
        digest = hashlib.sha256()
        with out.open("rb") as data:
            for line in data:
                digest.update(line)
                result.lines += 1
        result.digest = digest.hexdigest()
        out.unlink()
    return result


def floor_command(src: Path, out: Path) -> list[str]:
    return [sys.executable, str(HERE / "floor.py"), str(src), str(out)]


def skjult_command(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "skjult.cli", "check", str(src), "--no-config", "--format",
            "jsonl", "--no-progress", "-o", str(out), *extra]


TOOLS: dict[str, Callable[[Path, Path], list[str]]] = {
    "floor": floor_command,
    "skjult": skjult_command,
    "jobs2": lambda src, out: skjult_command(src, out, "--jobs", "2"),
}


@dataclass
class Corpus:
    path: Path
    posts: int
    chars: int            # characters of all captions

    @property
    def mean_chars(self) -> float:
        return self.chars / self.posts


@dataclass
class Bench:
    """Corpus files and runs, each made once and reused (key: posts, caption length)."""

    work: Path
    spread_startup: bool = True   # a one-post run before each growth run, for the median
    corpora: dict[tuple[int, int | None], Corpus] = field(default_factory=dict)
    runs: dict[tuple[str, int, int | None], list[Run]] = field(default_factory=dict)

    def corpus(self, n: int, length: int | None = None) -> Corpus:
        key = (n, length)
        if key not in self.corpora:
            if str(HERE) not in sys.path:
                sys.path.insert(0, str(HERE))
            from corpus import posts  # benchmarks/ is not a package

            path = self.work / f"posts-{n}-{length or 'mixed'}.jsonl"
            chars = 0
            with path.open("w", encoding="utf-8") as out:
                for post in posts(n, SEED, CREATORS, length):   # streamed, never all in memory
                    chars += len(post["caption"])
                    out.write(json.dumps(post, ensure_ascii=False) + "\n")
            self.corpora[key] = Corpus(path, n, chars)
        return self.corpora[key]

    def measure(self, tool: str, n: int, length: int | None = None, k: int = 1) -> list[Run]:
        """At least ``k`` runs of ``tool`` on ``n`` posts (more if made before)."""
        done = self.runs.setdefault((tool, n, length), [])
        src = self.corpus(n, length).path
        out = self.work / f"{tool}.out"
        while len(done) < k:
            done.append(run(TOOLS[tool](src, out), out=out))
        return done

    def rounds(self, tools: Sequence[str], n: int, length: int | None, k: int) -> None:
        """``k`` rounds of the tools in turn (floor, skjult, floor, skjult, ...)."""
        for i in range(1, k + 1):
            for tool in tools:
                self.measure(tool, n, length, i)

    def median(self, tool: str, n: int, length: int | None = None, cpu: bool = False) -> float:
        runs = self.runs[(tool, n, length)]
        return statistics.median(r.cpu_s if cpu else r.seconds for r in runs)

    def sample_startup(self) -> None:
        """One more run of each tool on a one-post file (samples spread over the whole run)."""
        if not self.spread_startup:
            return
        for tool in ("floor", "skjult"):
            self.measure(tool, 1, None, len(self.runs.get((tool, 1, None), [])) + 1)

    def per_post_us(self, tool: str, n: int, length: int | None = None,
                    cpu: bool = False) -> float:
        """µs per post with the start-up (median of the one-post runs) taken off."""
        return (self.median(tool, n, length, cpu) - self.median(tool, 1, None, cpu)) / n * 1e6

    def per_post(self, n: int, length: int | None = None) -> dict[str, float]:
        """µs per post of both tools, from wall time and from CPU time."""
        return {f"{tool}_{unit}": self.per_post_us(tool, n, length, unit == "cpu_us")
                for tool in ("skjult", "floor") for unit in ("us", "cpu_us")}

    def records(self) -> list[dict[str, Any]]:
        return [{"tool": tool, "posts": n, "length": length, **asdict(r)}
                for (tool, n, length), runs in self.runs.items() for r in runs]


def cpu_name() -> str:
    """The processor's model name (Linux), else what the platform module knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    cpu = cpu_name()
    info: dict[str, Any] = {"date": datetime.date.today().isoformat(),
                            "system": f"{platform.system()} {platform.machine()}",
                            "platform": platform.platform(), "cpus": os.cpu_count(),
                            "cpu": cpu, "python": platform.python_version()}
    try:
        from importlib.metadata import version

        info["spacy"], info["skjult"] = version("spacy"), version("skjult")
    except ImportError:  # only a label
        pass
    try:
        git = ["git", "--no-optional-locks", "-C", str(HERE.parent)]
        info["commit"] = subprocess.run([*git, "rev-parse", "--short", "HEAD"], check=True,
                                        capture_output=True, text=True).stdout.strip()
        info["uncommitted"] = bool(subprocess.run([*git, "status", "--porcelain", "src", "rules"],
                                                  capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def startup(repeat: int) -> dict[str, Any]:
    ours, blank = [], []
    for _ in range(repeat):
        ours.append(run([sys.executable, "-m", "skjult.cli", "check", "-", "--no-config"],
                        stdin="Tak for gaven @brand\n").seconds)
        blank.append(run([sys.executable, "-c", "import spacy; spacy.blank('da')"]).seconds)
    a, b = statistics.median(ours), statistics.median(blank)
    return {"skjult_s": a, "spacy_blank_s": b, "ratio": a / b, "runs": {"skjult": ours,
                                                                        "spacy_blank": blank}}


def length_posts(small: int, length: int) -> int:
    """Posts for the caption-length runs: as many characters as ``small`` posts of 150."""
    return max(10, small * 150 // max(length, 150))


def measure_all(bench: Bench, small: int, large: int, growth: list[int], lengths: Sequence[int],
                repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    log("warming up (the compiled-pack cache) and timing start-up on a one-post file")
    bench.measure("skjult", 1)
    bench.runs.clear()
    bench.rounds(("floor", "skjult"), 1, None, repeat)

    log(f"{large:,} posts: {rounds(repeat)} of floor, skjult, skjult --jobs 2")
    bench.rounds(("floor", "skjult", "jobs2"), large, None, repeat)
    floor, ours, two = (bench.median(t, large) for t in ("floor", "skjult", "jobs2"))
    one_runs, two_runs = bench.runs[("skjult", large, None)], bench.runs[("jobs2", large, None)]
    throughput = {"posts": large, "floor_s": floor, "skjult_s": ours,
                  "floor_posts_per_s": large / floor, "skjult_posts_per_s": large / ours,
                  "ratio": ours / floor}
    scaling = {"posts": large, "jobs1_s": ours, "jobs2_s": two, "speedup": ours / two,
               "identical": len({r.digest for r in one_runs + two_runs}) == 1}
    floor_lines = {r.lines for r in bench.runs[("floor", large, None)]}
    if floor_lines != {large}:
        raise SystemExit(f"the floor wrote {floor_lines} lines for {large} posts")

    for n in growth:
        log(f"growth: {n:,} posts")
        bench.sample_startup()
        bench.rounds(("floor", "skjult"), n, None, 1)
    for length in lengths:
        log(f"caption length ~{length:,}: {length_posts(small, length):,} posts")
        bench.sample_startup()
        bench.rounds(("floor", "skjult"), length_posts(small, length), length, 1)

    log(f"memory: {small:,} posts")
    a = statistics.median(r.peak_kib for r in bench.measure("skjult", small))
    b = statistics.median(r.peak_kib for r in one_runs)
    memory = {"small_posts": small, "large_posts": large, "small_kib": a, "large_kib": b,
              "ratio": b / a}

    log(f"start-up: {rounds(repeat)} of one caption on stdin, spacy.blank('da')")
    start = startup(repeat)

    # Per-post figures only now, with all the one-post samples in.
    growth_rows: list[dict[str, Any]] = [{"posts": n, **bench.per_post(n)} for n in growth]
    for g in growth_rows:
        for unit in ("us", "cpu_us"):
            first = growth_rows[0][f"skjult_{unit}"] or 1e-9
            g[f"change_{unit}"] = g[f"skjult_{unit}"] / first - 1
    length_rows: list[dict[str, Any]] = []
    for length in lengths:
        n = length_posts(small, length)
        row: dict[str, Any] = {"length": length, "posts": n,
                               "mean_chars": bench.corpus(n, length).mean_chars,
                               **bench.per_post(n, length)}
        for key in ("skjult_us", "skjult_cpu_us", "floor_us", "floor_cpu_us"):
            row[key.replace("us", "us_per_1000_chars")] = row[key] / row["mean_chars"] * 1000
        row["ratio"] = row["skjult_us"] / row["floor_us"] if row["floor_us"] > 0 else None
        length_rows.append(row)
    subtracted = {f"{tool}_{key}": bench.median(tool, 1, None, key == "cpu_s")
                  for tool in ("floor", "skjult") for key in ("s", "cpu_s")}
    return {"startup_subtracted": subtracted, "throughput": throughput, "scaling": scaling,
            "growth_posts": growth_rows, "growth_length": length_rows, "memory": memory,
            "startup": start, "runs": bench.records()}


def rounds(k: int) -> str:
    return "1 round" if k == 1 else f"{k} rounds"


def met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def secs(s: float) -> str:
    return f"{s:.2f} s" if s < 10 else f"{s:.0f} s"


def table(r: dict[str, Any], repeat: int) -> list[tuple[str, str, str, bool | None]]:
    t, j, m, s = r["throughput"], r["scaling"], r["memory"], r["startup"]
    n = f"{t['posts']:,} posts"
    rows: list[tuple[str, str, str, bool | None]] = [
        (f"floor: spaCy tokenizer only, {n}",
         f"{secs(t['floor_s'])}, {t['floor_posts_per_s']:,.0f} posts/s", "—", None),
        (f"skjult, {n}",
         f"{secs(t['skjult_s'])}, {t['skjult_posts_per_s']:,.0f} posts/s = "
         f"**{t['ratio']:.1f}×** the floor", f"≤ {TARGETS['ratio']}×",
         t["ratio"] <= TARGETS["ratio"]),
        (f"`--jobs 2`, {n}",
         f"{secs(j['jobs2_s'])} vs {secs(j['jobs1_s'])} = {j['speedup']:.2f}× speed-up; output "
         + ("identical" if j["identical"] else "**different**"),
         f"≥ {TARGETS['speedup']}×, identical",
         j["speedup"] >= TARGETS["speedup"] and j["identical"]),
    ]
    first = r["growth_posts"][0]
    for g in r["growth_posts"]:
        later = g is not first
        rows.append((f"µs per post, {g['posts']:,} posts",
                     f"{g['skjult_us']:,.0f} µs"
                     + (f", {g['change_us']:+.1%} on {first['posts']:,}" if later else "")
                     + f" (CPU {g['skjult_cpu_us']:,.0f} µs"
                     + (f", {g['change_cpu_us']:+.1%}" if later else "")
                     + f"); floor {g['floor_us']:,.0f} µs (CPU {g['floor_cpu_us']:,.0f} µs)",
                     f"within ±{GROWTH_SLACK:.0%} of {first['posts']:,}" if later else "—",
                     abs(g["change_us"]) <= GROWTH_SLACK if later else None))
    before = None
    for g in r["growth_length"]:
        ratio = f"{g['ratio']:.1f}×" if g["ratio"] else "—×"
        rows.append((f"µs per post, captions of ~{g['length']:,} characters ({g['posts']:,} "
                     f"posts, mean {g['mean_chars']:,.0f})",
                     f"{g['skjult_us']:,.0f} µs, {g['skjult_us_per_1000_chars']:,.0f} µs per "
                     f"1,000 characters (CPU {g['skjult_cpu_us_per_1000_chars']:,.0f}); floor "
                     f"{g['floor_us']:,.0f} µs, {g['floor_us_per_1000_chars']:,.0f} per 1,000 "
                     f"(CPU {g['floor_cpu_us_per_1000_chars']:,.0f}); {ratio} the floor",
                     f"per 1,000 characters ≤ {LINEAR_SLACK} × at ~{before['length']:,}"
                     if before else "—",
                     g["skjult_us_per_1000_chars"]
                     <= LINEAR_SLACK * before["skjult_us_per_1000_chars"] if before else None))
        before = g
    rows.append(("peak RSS",
                 f"{m['small_kib'] / 1024:.0f} MiB at {m['small_posts']:,} posts, "
                 f"{m['large_kib'] / 1024:.0f} MiB at {m['large_posts']:,} = {m['ratio']:.2f}×",
                 f"≤ {TARGETS['memory']}×", m["ratio"] <= TARGETS["memory"]))
    rows.append(("start-up, one caption on stdin",
                 f"{s['skjult_s']:.2f} s vs {s['spacy_blank_s']:.2f} s for "
                 f"`spacy.blank('da')` = {s['ratio']:.2f}×",
                 f"≤ {TARGETS['startup']}×", s["ratio"] <= TARGETS["startup"]))
    return rows


def markdown(r: dict[str, Any], repeat: int, quick: bool) -> str:
    mc = r["machine"]
    version = f"skjult {mc.get('skjult', '?')}"
    if "commit" in mc:
        version += f" at {mc['commit']}" + (" + uncommitted changes" if mc["uncommitted"] else "")
    lines = [f"{mc['date']}, {mc['system']}, {mc['cpus']} CPUs ({mc['cpu']}), Python "
             f"{mc['python']}, spaCy {mc.get('spacy', '?')}; {version}; load average "
             f"{r['load'][0]:.1f} at the start, {r['load'][1]:.1f} at the end; "
             f"{r['minutes']:.1f} min",
             "", "| measure | result | target | met |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {met(d)} |" for a, b, c, d in table(r, repeat)]
    st = r["startup_subtracted"]
    lines += ["", f"Wall times including start-up; the {r['throughput']['posts']:,}-post and "
              f"start-up rows are medians of {rounds(repeat)} (alternating), the µs rows one run "
              f"each with the start-up (median of one-post runs spread over the run: skjult "
              f"{st['skjult_s']:.2f} s, floor {st['floor_s']:.2f} s) taken off; CPU: user + "
              "system time, the same figures less the waiting for a busy machine's CPUs."]
    if quick:
        lines.append("--quick: toy sizes, to show the script works; the figures mean nothing.")
    return "\n".join(lines)


def sizes(text: str) -> list[int]:
    try:
        values = [int(v.replace("_", "")) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or min(values) < 2:
        raise argparse.ArgumentTypeError("give sizes of at least 2 posts, e.g. 10000,100000")
    return values


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Default sizes take about 10 minutes on an idle 2-CPU machine, about twice that "
               "when other work shares it; 1000000 in --growth adds the 1M-post point (about 8 "
               "minutes more, idle).")
    ap.add_argument("--large", type=int, default=200_000, metavar="N",
                    help="posts for the speed, --jobs and memory runs (default 200,000)")
    ap.add_argument("--small", type=int, default=20_000, metavar="N",
                    help="posts for the small memory run; the caption-length runs use as many "
                         "characters as N posts of 150 (default 20,000)")
    ap.add_argument("--growth", type=sizes, default=[10_000, 100_000], metavar="N,N,...",
                    help="sizes for µs per post (default 10000,100000; e.g. "
                         "10000,100000,1000000)")
    ap.add_argument("--repeat", type=int, default=3, metavar="K",
                    help="alternating rounds for the medians (default 3)")
    ap.add_argument("--quick", action="store_true",
                    help="toy sizes, to check that the script works (CI)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    a = ap.parse_args(argv)
    lengths: tuple[int, ...] = LENGTHS
    if a.quick:   # the memory run reuses growth's 200, growth's 1,000 the large runs
        a.small, a.large, a.growth, a.repeat, lengths = 200, 1000, [200, 1000], 1, (50, 5000)
    if min(a.small, a.large, a.repeat) < 1:
        ap.error("--small, --large and --repeat must be at least 1")

    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="skjult-bench-") as tmp:
        bench = Bench(Path(tmp), spread_startup=not a.quick)
        result = {"machine": machine(),
                  "settings": {"small": a.small, "large": a.large, "growth": a.growth,
                               "lengths": list(lengths), "repeat": a.repeat, "quick": a.quick},
                  **measure_all(bench, a.small, a.large, a.growth, lengths, a.repeat, log)}
    result["load"] = [load, os.getloadavg()[0]]
    result["minutes"] = (time.perf_counter() - started) / 60
    result["rows"] = [{"measure": m, "result": r, "target": t, "met": ok}
                      for m, r, t, ok in table(result, a.repeat)]
    print(json.dumps(result, indent=2) if a.json
          else markdown(result, a.repeat, a.quick))
    return 0 if result["scaling"]["identical"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
