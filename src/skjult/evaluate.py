"""``skjult eval``: measure the checker on labelled posts (the format of ``shared/corpus``).

Definitions (also in the README):

- *accuracy*: share of records whose verdict is one of ``expect``;
- *violation precision*: of the posts called ``violation``, the share where ``violation`` is
  accepted;
- *violation recall*: of the posts that must be a violation (``expect == ["violation"]``), the
  share called one. Records where the guidance leaves room (violation or warning) count for
  accuracy and precision but not for recall;
- *confusion matrix*: rows are the expected verdict (the predicted one when it is accepted, else
  the first in ``expect``), columns the predicted verdict;
- *category recall*: for each category in ``cats``, the share of records with a finding of it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from skjult.engine import Checker
from skjult.model import Post, Skip, Verdict
from skjult.rules.errors import RuleError

VERDICTS = tuple(str(v) for v in Verdict)


@dataclass(frozen=True)
class Labelled:
    post: Post
    expect: tuple[str, ...]
    cats: tuple[str, ...]
    jurisdiction: str | None
    note: str = ""
    file: str = ""
    position: str = ""


def _labelled(raw: Any, file: str, position: str) -> Labelled:
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    caption = raw.get("caption", raw.get("text"))
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("no caption")
    expect = raw.get("expect")
    if isinstance(expect, str):
        expect = [expect]
    if not isinstance(expect, list) or not expect or any(e not in VERDICTS for e in expect):
        raise ValueError(f"expect must list verdicts out of {', '.join(VERDICTS)}")
    cats = raw.get("cats") or []
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        raise ValueError("cats must be a list of category names")
    meta = raw.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("meta must be an object")
    post = Post(text=caption, id=_str(raw.get("id")), creator=_str(raw.get("creator")),
                platform=_str(raw.get("platform")), meta=dict(meta))
    return Labelled(post, tuple(expect), tuple(cats), _str(raw.get("jurisdiction")),
                    str(raw.get("note") or ""), file, position)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def read_labelled(path: str) -> Iterator[Labelled | Skip]:
    """Records of a labelled JSONL file (``-`` for stdin); broken lines are skips."""
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8-sig")  # noqa: SIM115
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = _labelled(json.loads(line), path, f"line {number}")
            except ValueError as exc:  # json.JSONDecodeError is one too
                yield Skip(path, f"line {number}", str(exc).split(": line")[0])
                continue
            yield record
    finally:
        if stream is not sys.stdin:
            stream.close()


@dataclass
class Evaluation:
    total: int = 0
    correct: int = 0
    called_violation: int = 0
    called_violation_right: int = 0
    must_violate: int = 0
    must_violate_found: int = 0
    confusion: dict[str, dict[str, int]] = field(
        default_factory=lambda: {e: dict.fromkeys(VERDICTS, 0) for e in VERDICTS})
    categories: dict[str, list[int]] = field(default_factory=dict)  # category -> [expected, found]
    misses: list[dict[str, Any]] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    @property
    def precision(self) -> float | None:
        return self.called_violation_right / self.called_violation if self.called_violation else None

    @property
    def recall(self) -> float | None:
        return self.must_violate_found / self.must_violate if self.must_violate else None

    def add(self, case: Labelled, verdict: str, found: set[str]) -> None:
        self.total += 1
        right = verdict in case.expect
        self.correct += right
        expected = verdict if right else case.expect[0]
        self.confusion[expected][verdict] += 1
        if verdict == Verdict.VIOLATION:
            self.called_violation += 1
            self.called_violation_right += "violation" in case.expect
        if case.expect == ("violation",):
            self.must_violate += 1
            self.must_violate_found += verdict == Verdict.VIOLATION
        missing = [c for c in case.cats if c not in found]
        for cat in case.cats:
            counts = self.categories.setdefault(cat, [0, 0])
            counts[0] += 1
            counts[1] += cat in found
        if not right or missing:
            self.misses.append({"id": case.post.id, "creator": case.post.creator,
                                "expected": list(case.expect), "got": verdict,
                                "missing_categories": missing, "found_categories": sorted(found),
                                "caption": case.post.text, "note": case.note})

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.total,
            "skipped": len(self.skips),
            "accuracy": self.accuracy,
            "violation": {"precision": self.precision, "recall": self.recall,
                          "called": self.called_violation, "must": self.must_violate},
            "confusion": self.confusion,
            "categories": {c: {"expected": e, "found": f, "recall": f / e}
                           for c, (e, f) in sorted(self.categories.items())},
            "misses": self.misses,
            "skips": [{"file": s.file, "position": s.position, "reason": s.reason}
                      for s in self.skips],
        }


def evaluate(records: Iterable[Labelled | Skip], checker_for: Callable[[str], Checker],
             default: str, *, forced: bool = False) -> Evaluation:
    """Check every labelled record with its jurisdiction's pack (or ``default`` for all when
    ``forced``) and score the verdicts."""
    result = Evaluation()
    for record in records:
        if isinstance(record, Skip):
            result.skips.append(record)
            continue
        name = default if forced or not record.jurisdiction else record.jurisdiction
        try:
            checker = checker_for(name)
        except RuleError as exc:
            result.skips.append(Skip(record.file, record.position, f"jurisdiction {name}: {exc}"))
            continue
        outcome = checker.check(record.post)
        result.add(record, str(outcome.verdict), {f.category for f in outcome.findings})
    return result


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def render(ev: Evaluation, misses: int = 20) -> str:
    """The evaluation as text for a terminal."""
    lines = [
        f"records        {ev.total}" + (f"  ({len(ev.skips)} skipped)" if ev.skips else ""),
        f"accuracy       {_pct(ev.accuracy)}  ({ev.correct}/{ev.total} verdicts accepted)",
        f"violations     precision {_pct(ev.precision)} ({ev.called_violation_right}/"
        f"{ev.called_violation}), recall {_pct(ev.recall)} ({ev.must_violate_found}/"
        f"{ev.must_violate})",
        "",
        "confusion (rows: expected, columns: got)",
    ]
    short = {"not_commercial": "not_comm", "compliant": "compliant", "warning": "warning",
             "violation": "violation"}
    lines.append(f"  {'':<15}" + "".join(f"{short[v]:>11}" for v in VERDICTS))
    for expected in VERDICTS:
        row = ev.confusion[expected]
        lines.append(f"  {expected:<15}" + "".join(f"{row[v]:>11}" for v in VERDICTS))
    if ev.categories:
        lines += ["", "category recall"]
        for cat, (wanted, got) in sorted(ev.categories.items()):
            lines.append(f"  {cat:<22} {got}/{wanted}  {_pct(got / wanted)}")
    if ev.misses and misses:
        lines += ["", f"misses ({len(ev.misses)})"]
        for miss in ev.misses[:misses]:
            extra = f", missing {', '.join(miss['missing_categories'])}" if miss["missing_categories"] else ""
            caption = miss["caption"].replace("\n", " ⏎ ")
            caption = caption if len(caption) <= 90 else caption[:89] + "…"
            lines.append(f"  {miss['id'] or '?'}: expected {'/'.join(miss['expected'])}, got "
                         f"{miss['got']}{extra}")
            lines.append(f"      {caption}")
        if len(ev.misses) > misses:
            lines.append(f"  … {len(ev.misses) - misses} more (--misses N, or --json)")
    return "\n".join(lines)
