"""``skjult eval``: measure the checker on labelled posts (the format of ``shared/corpus``).

Definitions (also in the README):

- *accuracy*: share of records whose verdict is one of ``expect``;
- *violation precision*: of the posts called ``violation``, the share where ``violation`` is
  accepted;
- *violation recall*: of the posts that must be a violation (``expect == ["violation"]``), the
  share called one. Records where the guidance leaves room (violation or warning) count for
  accuracy and precision but not for recall;
- *commercial precision / recall*: a post is *called commercial* when its verdict is anything
  but ``not_commercial``; it *is* commercial when ``expect`` holds no ``not_commercial``, and is
  not when ``expect`` is exactly ``["not_commercial"]`` (records that allow both count for
  neither); *false alarms*: the share of posts that are not commercial but were called so;
- *disclosures recognised*: for records with ``"disclosed": true``, the share where skjult found
  a disclosure (a label or a weak one); *false disclosures*: the share of ``"disclosed": false``
  records where it found one anyway;
- *confusion matrix*: rows are the expected verdict (the predicted one when it is accepted, else
  the first in ``expect``), columns the predicted verdict;
- *category recall*: for each category in ``cats``, the share of records with a finding of it.

Every measure is given for the whole file and for each ``group`` the records name.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from skjult.checker import Checker
from skjult.errors import RuleError
from skjult.items import Skip
from skjult.model import META_FIELDS, Finding, Post, PostMeta, Verdict
from skjult.readers.errors import RecordError
from skjult.readers.records import parse_bool

VERDICTS = tuple(str(v) for v in Verdict)


@dataclass(frozen=True)
class Labelled:
    post: Post
    expect: tuple[str, ...]  # empty when the record only says whether it discloses
    cats: tuple[str, ...]
    jurisdiction: str | None
    note: str = ""
    file: str = ""
    position: str = ""
    group: str = ""
    disclosed: bool | None = None

    @property
    def commercial(self) -> bool | None:
        """Whether the post must be called commercial; ``None`` when the label allows both."""
        if not self.expect:
            return None
        if "not_commercial" not in self.expect:
            return True
        return False if self.expect == ("not_commercial",) else None


def _labelled(raw: Any, file: str, position: str) -> Labelled:
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    caption = raw.get("caption", raw.get("text"))
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("no caption")
    disclosed = raw.get("disclosed")
    if disclosed is not None and not isinstance(disclosed, bool):
        raise ValueError("disclosed must be true or false")
    expect = raw.get("expect")
    if isinstance(expect, str):
        expect = [expect]
    if expect is None and disclosed is not None:
        expect = []
    elif not isinstance(expect, list) or not expect or any(e not in VERDICTS for e in expect):
        raise ValueError(f"expect must list verdicts out of {', '.join(VERDICTS)}")
    cats = raw.get("cats") or []
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        raise ValueError("cats must be a list of category names")
    meta = raw.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("meta must be an object")
    # The fields the rules read; a labelled file may carry notes of its own beside them (as it
    # always could), which are no post metadata.
    meta = {k: v for k, v in meta.items() if k in META_FIELDS}
    if "paid_partnership" in meta:  # read as `check` reads it: "false" is false
        try:
            meta["paid_partnership"] = parse_bool(meta["paid_partnership"], "paid_partnership")
        except RecordError as exc:
            raise ValueError(str(exc)) from None
    group = raw.get("group") or ""
    if not isinstance(group, str):
        raise ValueError("group must be a name")
    post = Post(text=caption, id=_str(raw.get("id")), creator=_str(raw.get("creator")),
                platform=_str(raw.get("platform")), meta=PostMeta.of(meta))
    return Labelled(post, tuple(expect), tuple(cats), _str(raw.get("jurisdiction")),
                    str(raw.get("note") or ""), file, position, group, disclosed)


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


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Score:
    """Counts behind every measure, for a whole file or one group of it."""

    total: int = 0  # records with an expected verdict
    correct: int = 0
    called_violation: int = 0
    called_violation_right: int = 0
    must_violate: int = 0
    must_violate_found: int = 0
    called_commercial: int = 0  # among records whose commercial expectation is clear
    called_commercial_right: int = 0
    must_commercial: int = 0
    must_commercial_found: int = 0
    ordinary: int = 0  # records that must not be called commercial
    ordinary_called: int = 0
    disclosing: int = 0  # records with "disclosed": true
    disclosing_found: int = 0
    quiet: int = 0  # records with "disclosed": false
    quiet_found: int = 0

    def add(self, case: Labelled, verdict: str, disclosed: bool) -> None:
        if case.disclosed is True:
            self.disclosing += 1
            self.disclosing_found += disclosed
        elif case.disclosed is False:
            self.quiet += 1
            self.quiet_found += disclosed
        if not case.expect:
            return
        self.total += 1
        self.correct += verdict in case.expect
        if verdict == Verdict.VIOLATION:
            self.called_violation += 1
            self.called_violation_right += "violation" in case.expect
        if case.expect == ("violation",):
            self.must_violate += 1
            self.must_violate_found += verdict == Verdict.VIOLATION
        must = case.commercial
        if must is None:
            return
        called = verdict != Verdict.NOT_COMMERCIAL
        if called:
            self.called_commercial += 1
            self.called_commercial_right += must
        if must:
            self.must_commercial += 1
            self.must_commercial_found += called
        else:
            self.ordinary += 1
            self.ordinary_called += called

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.total,
            "accuracy": _ratio(self.correct, self.total),
            "violation": {"precision": _ratio(self.called_violation_right, self.called_violation),
                          "recall": _ratio(self.must_violate_found, self.must_violate),
                          "called": self.called_violation, "must": self.must_violate},
            "commercial": {"precision": _ratio(self.called_commercial_right, self.called_commercial),
                           "recall": _ratio(self.must_commercial_found, self.must_commercial),
                           "false_alarms": _ratio(self.ordinary_called, self.ordinary),
                           "called": self.called_commercial, "must": self.must_commercial,
                           "ordinary": self.ordinary},
            "disclosure": {"recognised": _ratio(self.disclosing_found, self.disclosing),
                           "false": _ratio(self.quiet_found, self.quiet),
                           "disclosing": self.disclosing, "quiet": self.quiet},
        }


@dataclass
class Evaluation:
    records: int = 0  # every record evaluated, with an expected verdict or only "disclosed"
    score: Score = field(default_factory=Score)
    groups: dict[str, Score] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(
        default_factory=lambda: {e: dict.fromkeys(VERDICTS, 0) for e in VERDICTS})
    categories: dict[str, list[int]] = field(default_factory=dict)  # category -> [expected, found]
    misses: list[dict[str, Any]] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.records

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.score.correct, self.score.total)

    def add(self, case: Labelled, verdict: str, found: set[str], disclosed: bool) -> None:
        self.records += 1
        self.score.add(case, verdict, disclosed)
        if case.group:
            self.groups.setdefault(case.group, Score()).add(case, verdict, disclosed)
        wrong_disclosure = case.disclosed is not None and case.disclosed != disclosed
        right = verdict in case.expect if case.expect else True
        if case.expect:
            expected = verdict if right else case.expect[0]
            self.confusion[expected][verdict] += 1
        missing = [c for c in case.cats if c not in found]
        for cat in case.cats:
            counts = self.categories.setdefault(cat, [0, 0])
            counts[0] += 1
            counts[1] += cat in found
        if not right or missing or wrong_disclosure:
            miss: dict[str, Any] = {"id": case.post.id, "group": case.group,
                                    "creator": case.post.creator,
                    "expected": list(case.expect), "got": verdict,
                    "missing_categories": missing, "found_categories": sorted(found),
                    "caption": case.post.text, "note": case.note}
            if case.disclosed is not None:
                miss["disclosed"] = {"expected": case.disclosed, "found": disclosed}
            self.misses.append(miss)

    def to_dict(self) -> dict[str, Any]:
        overall = self.score.to_dict()
        return {
            **overall,
            "records": self.total,
            "skipped": len(self.skips),
            "confusion": self.confusion,
            "categories": {c: {"expected": e, "found": f, "recall": f / e}
                           for c, (e, f) in sorted(self.categories.items())},
            "groups": {g: score.to_dict() for g, score in sorted(self.groups.items())},
            "misses": self.misses,
            "skips": [{"file": s.file, "position": s.position, "reason": s.reason}
                      for s in self.skips],
        }


def _categories(checker: Checker, findings: Iterable[Finding]) -> set[str]:
    """The categories found: a finding that stands for others on the same words (``supersedes``:
    "Tak for gaven" is a missing label, not merely a weak one) found theirs too."""
    by_id = {rule.id: rule.category for rule in checker.rules}
    return {category for f in findings
            for category in (f.category, *(by_id[r] for r in f.supersedes if r in by_id))}


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
        result.add(record, str(outcome.verdict), _categories(checker, outcome.findings),
                   bool(outcome.disclosures))
    return result


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _fraction(part: int, whole: int) -> str:
    return f"{_pct(_ratio(part, whole))} ({part}/{whole})"


def _score_lines(sc: Score) -> list[str]:
    lines = []
    if sc.total:
        lines += [
            f"accuracy       {_pct(_ratio(sc.correct, sc.total))}  ({sc.correct}/{sc.total} "
            "verdicts accepted)",
            f"violations     precision {_fraction(sc.called_violation_right, sc.called_violation)}, "
            f"recall {_fraction(sc.must_violate_found, sc.must_violate)}",
            f"commercial     precision {_fraction(sc.called_commercial_right, sc.called_commercial)}"
            f", recall {_fraction(sc.must_commercial_found, sc.must_commercial)}, false alarms "
            f"{_fraction(sc.ordinary_called, sc.ordinary)}",
        ]
    if sc.disclosing or sc.quiet:
        lines.append(f"disclosures    recognised {_fraction(sc.disclosing_found, sc.disclosing)}, "
                     f"false {_fraction(sc.quiet_found, sc.quiet)}")
    return lines


def _group_table(groups: dict[str, Score]) -> list[str]:
    def cell(part: int, whole: int) -> str:
        value = _ratio(part, whole)
        return f"{'–' if value is None else f'{value * 100:.0f}%':>5} {f'{part}/{whole}':>7}"

    verdicts = any(sc.total for sc in groups.values())
    disclosures = any(sc.disclosing or sc.quiet for sc in groups.values())
    columns: list[tuple[str, Callable[[Score], str]]] = []
    if verdicts:
        columns += [
            ("accuracy", lambda sc: cell(sc.correct, sc.total)),
            ("commercial P", lambda sc: cell(sc.called_commercial_right, sc.called_commercial)),
            ("commercial R", lambda sc: cell(sc.must_commercial_found, sc.must_commercial)),
            ("false alarms", lambda sc: cell(sc.ordinary_called, sc.ordinary)),
            ("violation P", lambda sc: cell(sc.called_violation_right, sc.called_violation)),
            ("violation R", lambda sc: cell(sc.must_violate_found, sc.must_violate)),
        ]
    if disclosures:
        columns += [("disclosed", lambda sc: cell(sc.disclosing_found, sc.disclosing)),
                    ("false discl.", lambda sc: cell(sc.quiet_found, sc.quiet))]
    width = max(len(g) for g in groups) + 2
    lines = ["", "per group (P precision, R recall)",
             f"  {'group':<{width}}{'n':>4}" + "".join(f"  {title:>13}" for title, _ in columns)]
    for name, sc in sorted(groups.items()):
        n = sc.total or sc.disclosing + sc.quiet
        lines.append(f"  {name:<{width}}{n:>4}" + "".join(f"  {show(sc)}" for _, show in columns))
    return lines


def render(ev: Evaluation, misses: int = 20) -> str:
    """The evaluation as text for a terminal."""
    lines = [f"records        {ev.total}" + (f"  ({len(ev.skips)} skipped)" if ev.skips else ""),
             *_score_lines(ev.score)]
    if ev.score.total:
        lines += ["", "confusion (rows: expected, columns: got)"]
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
    if ev.groups:
        lines += _group_table(ev.groups)
    if ev.misses and misses:
        lines += ["", f"misses ({len(ev.misses)})"]
        for miss in ev.misses[:misses]:
            extra = f", missing {', '.join(miss['missing_categories'])}" if miss["missing_categories"] else ""
            if "disclosed" in miss and miss["disclosed"]["expected"] != miss["disclosed"]["found"]:
                extra += (", disclosure not recognised" if miss["disclosed"]["expected"]
                          else ", disclosure found where there is none")
            caption = miss["caption"].replace("\n", " ⏎ ")
            caption = caption if len(caption) <= 90 else caption[:89] + "…"
            group = f" [{miss['group']}]" if miss.get("group") else ""
            expected = "/".join(miss["expected"]) or "–"
            lines.append(f"  {miss['id'] or '?'}{group}: expected {expected}, got "
                         f"{miss['got']}{extra}")
            lines.append(f"      {caption}")
        if len(ev.misses) > misses:
            lines.append(f"  … {len(ev.misses) - misses} more (--misses N, or --json)")
    return "\n".join(lines)
