"""``absence``: none of the rule's term sets occurs (e.g. a commercial post with no label).

The finding points at the strongest commercial signal in the caption, so the reader sees why
the post counts as commercial; when the post is commercial by its metadata alone (a platform flag,
a campaign list, a draft's front matter), at the whole post."""

from __future__ import annotations

from collections.abc import Iterator

from skjult.rules.evidence import Evidence, Mark
from skjult.rules.kinds.base import Kind
from skjult.rules.rule import Rule


def check(rule: Rule, ev: Evidence) -> Iterator[Mark]:
    if not ev.has(rule.termsets):
        yield ev.at_anchor({"evidence": ev.reason})


KIND = Kind("absence", check, needs_hits=False)  # no keys of its own; marks what is not there
