"""Annotated rule tests: captions beside each rule, marked ``// ruleid: X`` (must trigger X) or
``// ok: X`` (must not), separated by ``---`` lines; the convention of Semgrep's rule tests,
at caption granularity.

For each rule the set of captions expected to trigger it (``ruleid`` and ``todook``) must equal
the set that does. ``todoruleid``/``todook`` record known misses and false alarms. ``@L`` after a
rule id asks that the first finding starts on line L of the caption. ``// meta: k=v ...`` gives
the caption post metadata (``paid_partnership``, ``audience``, ``platform``, ``creator``, ``brand``).
``// fixed: TEXT`` states what ``--fix`` makes of the caption (``\n`` for a line break): the
edits of all its findings applied, as sqlfluff's ``fix_str`` does for a rule's test case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from skjult.checker import Checker, make_post
from skjult.errors import RuleError, did_you_mean
from skjult.fix import apply_edits
from skjult.model import META_FIELDS
from skjult.readers.errors import RecordError
from skjult.readers.records import parse_bool

# what ``// meta:`` may set: the post's fields and the metadata the rules read (a test's
# jurisdiction is its pack's)
META_KEYS = ("creator", "platform", "id", "url", "created_at", "source",
             *(f for f in META_FIELDS if f != "jurisdiction"))
TAGS = ("ruleid", "ok", "todoruleid", "todook")
_ANNOTATION = regex.compile(r"^//\s*(ruleid|ok|todoruleid|todook|meta|fixed)\s*:\s*(.*?)\s*$")
_RULE_REF = regex.compile(r"^([a-z0-9]+\.[a-z0-9-]+)(?:\s*@(\d+))?$")


@dataclass
class Case:
    number: int  # 1-based position in the file
    line: int  # line of the caption's first annotation
    caption: str
    tags: dict[str, dict[str, int | None]] = field(default_factory=dict)  # tag -> rule -> @line
    meta: dict[str, Any] = field(default_factory=dict)
    fixed: str | None = None  # the caption after --fix, when the test states it

    def rules(self, *tags: str) -> set[str]:
        return {r for t in tags for r in self.tags.get(t, {})}


@dataclass
class RuleTestResult:
    rule: str
    file: str
    expected: set[int] = field(default_factory=set)
    reported: set[int] = field(default_factory=set)
    ok_cases: set[int] = field(default_factory=set)
    cases: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def missed(self) -> list[int]:
        return sorted(self.expected - self.reported)

    @property
    def unexpected(self) -> list[int]:
        return sorted(self.reported - self.expected)

    @property
    def passed(self) -> bool:
        return not self.missed and not self.unexpected and not self.problems

    def confusion(self) -> dict[str, int]:
        tp = len(self.expected & self.reported)
        fp = len(self.reported - self.expected)
        fn = len(self.expected - self.reported)
        return {"tp": tp, "fp": fp, "fn": fn, "tn": self.cases - tp - fp - fn}

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "file": self.file, "passed": self.passed,
                "missed": self.missed, "unexpected": self.unexpected,
                "problems": self.problems, **self.confusion()}


def _parse_meta(text: str, file: str, line: int) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for pair in text.split():
        key, sep, value = pair.partition("=")
        if not sep:
            raise RuleError(file, line, f"meta wants key=value pairs, got {pair!r}")
        if key not in META_KEYS:
            raise RuleError(file, line, f"meta: unknown key {key!r}",
                            did_you_mean(key, META_KEYS) or f"one of {', '.join(META_KEYS)}")
        if key == "paid_partnership":
            try:
                meta[key] = parse_bool(value, key)
            except RecordError as exc:
                raise RuleError(file, line, str(exc)) from None
        else:
            meta[key] = value
    return meta


_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "\\": "\\"}


def _unescaped(text: str, file: str, line: int) -> str:
    """A ``// fixed:`` text: ``\\n`` a line break, ``\\t`` a tab, ``\\s`` a space (one an
    editor would not strip at the end of a line), ``\\\\`` a backslash."""
    out: list[str] = []
    chars = iter(text.rstrip(" \t"))
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        code = next(chars, "")
        if code not in _ESCAPES:
            raise RuleError(file, line, f"// fixed: unknown escape \\{code}",
                            "write \\n, \\t, \\s or \\\\")
        out.append(_ESCAPES[code])
    return "".join(out)


def parse_cases(path: Path) -> list[Case]:
    """The annotated captions of one test file; malformed annotations are ``RuleError``s."""
    file = str(path)
    text = path.read_text(encoding="utf-8")
    cases: list[Case] = []
    block: list[str] = []
    block_line = 1

    def close() -> None:
        if not any(line.strip() for line in block):
            return
        annotations_end = 0
        case = Case(len(cases) + 1, block_line, "")
        for i, line in enumerate(block):
            if not line.startswith("//"):
                break
            annotations_end = i + 1
            m = _ANNOTATION.match(line)
            if not m:
                raise RuleError(file, block_line + i, f"unknown annotation {line!r}",
                                f"use one of {', '.join(TAGS)}, meta or fixed")
            tag, body = m.group(1), m.group(2)
            if tag == "meta":
                case.meta.update(_parse_meta(body, file, block_line + i))
                continue
            if tag == "fixed":
                if case.fixed is not None:
                    raise RuleError(file, block_line + i, "a second // fixed: for one caption")
                case.fixed = _unescaped(line.split(":", 1)[1].removeprefix(" "), file,
                                        block_line + i)
                continue
            body = body.split(" -- ", 1)[0]
            for ref in filter(None, (r.strip() for r in body.split(","))):
                rm = _RULE_REF.match(ref)
                if not rm:
                    raise RuleError(file, block_line + i, f"not a rule id: {ref!r}")
                at = int(rm.group(2)) if rm.group(2) else None
                case.tags.setdefault(tag, {})[rm.group(1)] = at
        if not case.tags:
            raise RuleError(file, block_line, "caption without a // ruleid: or // ok: line above it")
        case.caption = "\n".join(block[annotations_end:]).strip("\n")
        if not case.caption.strip():
            raise RuleError(file, block_line, "annotation without a caption below it")
        cases.append(case)

    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "---":
            close()
            block, block_line = [], number + 1
            continue
        if not block and not line.strip():
            block_line = number + 1
            continue
        block.append(line)
    close()
    return cases


def run_file(checker: Checker, path: Path, rule_ids: Iterable[str]) -> list[RuleTestResult]:
    """Run one test file for the given rules (the rules defined beside it)."""
    cases = parse_cases(path)
    known = {r.id for r in checker.rules}
    wanted = list(rule_ids)
    mentioned = {r for c in cases for t in TAGS for r in c.tags.get(t, {})}
    results = {rid: RuleTestResult(rid, str(path), cases=len(cases)) for rid in wanted}
    for rid in sorted(mentioned - known):
        raise RuleError(str(path), None, f"annotation names unknown rule {rid!r}")
    posts = []
    for case in cases:
        meta = dict(case.meta)
        creator = meta.pop("creator", None)
        platform = meta.pop("platform", "instagram")
        posts.append(make_post(case.caption, creator, platform, meta))
    for case, outcome in zip(cases, checker.iter_results(posts), strict=True):
        if case.fixed is not None:
            after = apply_edits(case.caption, [e for f in outcome.findings for e in f.edits or ()])
            if after != case.fixed:
                for result in results.values():
                    result.problems.append(f"caption {case.number} (line {case.line}): --fix "
                                           f"gives {after!r}, the test expects {case.fixed!r}")
        for rid, result in results.items():
            hits = [f for f in outcome.findings if f.rule == rid]
            if case.rules("ruleid", "todook") & {rid}:
                result.expected.add(case.number)
            if rid in case.rules("ok"):
                result.ok_cases.add(case.number)
            if hits:
                result.reported.add(case.number)
                at = case.tags.get("ruleid", {}).get(rid)
                if at is not None and hits[0].line != at:
                    result.problems.append(f"caption {case.number} (line {case.line}): expected "
                                           f"the finding on caption line {at}, got {hits[0].line}")
    for result in results.values():
        if not any(result.rule in c.rules("ruleid", "todoruleid") for c in cases):
            result.problems.append("no '// ruleid:' caption: the rule is never shown to fire")
        if not any(result.rule in c.rules("ok", "todook") for c in cases):
            result.problems.append("no '// ok:' caption: the rule is never shown to stay quiet")
    return list(results.values())


def run_pack_tests(checker: Checker, roots: Iterable[Path] | None = None) -> list[RuleTestResult]:
    """Every rule's test file; a rule without one fails."""
    results: list[RuleTestResult] = []
    root_filter = [r.resolve() for r in roots] if roots else None
    for rule in checker.rules:
        rule_path = Path(rule.file)
        if root_filter and not any(_under(rule_path.resolve(), r) for r in root_filter):
            continue
        test_path = rule_path.with_suffix(".test.txt")
        if not test_path.is_file():
            missing = RuleTestResult(rule.id, str(test_path))
            missing.problems.append(f"no test file {test_path.name} beside the rule")
            results.append(missing)
            continue
        results.extend(run_file(checker, test_path, [rule.id]))
    return results


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
