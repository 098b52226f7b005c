"""``existence``: every occurrence of the rule's term sets is a finding.

Used for words that must not stand in for a label (``#spons``), and for product terms that are
out of bounds in commercial posts (``snus``). ``limit: N`` keeps the first N findings only."""

from __future__ import annotations

from collections.abc import Iterator

from skjult.rules.evidence import Evidence, Mark
from skjult.rules.kinds.base import Integer, Kind
from skjult.rules.rule import Rule

LIMIT = Integer("limit", minimum=1)


def check(rule: Rule, ev: Evidence) -> Iterator[Mark]:
    limit = LIMIT.of(rule)
    for i, hit in enumerate(ev.hits_of(rule.termsets)):
        if limit is not None and i >= limit:
            return
        yield Mark(hit.start, hit.end)


KIND = Kind("existence", check, options=(LIMIT,))
