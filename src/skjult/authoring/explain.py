"""What ``skjult rules explain`` tells a reader about one rule, as plain data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skjult.authoring.testing import parse_cases
from skjult.rules.rule import Rule

EXAMPLES = 3


def _when(rule: Rule) -> dict[str, list[str]]:
    when = rule.when
    out = {"commercial": sorted(s.label for s in when.commercial or ()),
           "present": list(when.present), "absent": list(when.absent),
           "language": sorted(when.language or ()), "audience": sorted(when.audience or ()),
           "platform": sorted(when.platform or ())}
    return {k: v for k, v in out.items() if v}


def explain(rule: Rule) -> dict[str, Any]:
    """The rule's texts, source and up to three captions from its tests each way."""
    triggers: list[str] = []
    quiet: list[str] = []
    test_path = Path(rule.file).with_suffix(".test.txt")
    if test_path.is_file():
        for case in parse_cases(test_path):
            if rule.id in case.rules("ruleid") and len(triggers) < EXAMPLES:
                triggers.append(case.caption)
            elif rule.id in case.rules("ok") and len(quiet) < EXAMPLES:
                quiet.append(case.caption)
    return {
        "id": rule.id,
        "kind": rule.kind,
        "category": rule.category,
        "severity": str(rule.severity),
        "pack": rule.pack,
        "description": rule.description,
        "termsets": list(rule.termsets),
        "when": _when(rule),
        "message": rule.message,
        "fix": rule.fix,
        # one problem, one finding: the rules whose findings on the same words this one replaces
        "supersedes": list(rule.supersedes.rules) if rule.supersedes else [],
        "source": rule.source,
        "file": rule.file,
        "tests": str(test_path) if test_path.is_file() else None,
        "examples": {"triggers_on": triggers, "quiet_on": quiet},
    }
