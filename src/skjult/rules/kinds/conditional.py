"""``conditional``: if the rule's term sets occur, the ``require`` term sets must occur too.

``require_mode: all`` (default) wants every one of them, ``any`` at least one. The message may
name what is missing with ``{missing}`` (the term sets' titles)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from skjult.errors import RuleError
from skjult.rules.evidence import Evidence, Mark
from skjult.rules.rule import Rule
from skjult.rules.vocabulary import TermSet

SCHEMA: dict[str, Any] = {
    "require": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "require_mode": {"enum": ["all", "any"]},
}
KEYS = set(SCHEMA)
PLACEHOLDERS = ("missing",)  # in messages: the titles of the required term sets not found
REQUIRED: tuple[str, ...] = ("require",)


def validate(rule: Rule, termsets: Mapping[str, TermSet]) -> None:
    require = rule.options.get("require")
    if not isinstance(require, list) or not require:
        raise RuleError(rule.file, rule.line_of("require"), f"rule {rule.id}: require must list term sets")
    for tid in require:
        if tid not in termsets:
            raise RuleError(rule.file, rule.line_of("require"),
                            f"rule {rule.id}: unknown term set {tid!r} in require")
    if rule.options.get("require_mode", "all") not in ("all", "any"):
        raise RuleError(rule.file, rule.line_of("require"), f"rule {rule.id}: require_mode is 'all' or 'any'")


def check(rule: Rule, ev: Evidence) -> Iterator[Mark]:
    hits = ev.hits_of(rule.termsets)
    if not hits:
        return
    require = rule.options["require"]
    missing = [t for t in require if t not in ev.hits]
    if rule.options.get("require_mode", "all") == "any" and len(missing) < len(require):
        return
    if missing:
        yield Mark(hits[0].start, hits[0].end, {"missing": ", ".join(ev.title(t) for t in missing)})
