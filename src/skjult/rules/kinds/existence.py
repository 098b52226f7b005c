"""``existence``: every occurrence of the rule's term sets is a finding.

Used for words that must not stand in for a label (``#spons``), and for product terms that are
out of bounds in commercial posts (``snus``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from skjult.rules.evidence import Evidence, Mark, check_options
from skjult.rules.rule import Rule
from skjult.rules.vocabulary import TermSet

SCHEMA: dict[str, Any] = {"limit": {"type": "integer", "minimum": 1}}
KEYS = set(SCHEMA)
REQUIRED: tuple[str, ...] = ()


def validate(rule: Rule, termsets: Mapping[str, TermSet]) -> None:
    check_options(rule, {"limit": int})


def check(rule: Rule, ev: Evidence) -> Iterator[Mark]:
    limit = rule.options.get("limit")
    for i, hit in enumerate(ev.hits_of(rule.termsets)):
        if limit is not None and i >= limit:
            return
        yield Mark(hit.start, hit.end)
