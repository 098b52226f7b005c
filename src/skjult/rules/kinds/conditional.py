"""``conditional``: if the rule's term sets occur, the ``require`` term sets must occur too.

``require_mode: all`` (default) wants every one of them, ``any`` at least one. The message may
name what is missing with ``{missing}`` (the term sets' titles)."""

from __future__ import annotations

from collections.abc import Iterator

from skjult.rules.evidence import Evidence, Mark
from skjult.rules.kinds.base import Choice, Kind, TermSets
from skjult.rules.rule import Rule

REQUIRE = TermSets("require", required=True)
REQUIRE_MODE = Choice("require_mode", values=("all", "any"), default="all")


def check(rule: Rule, ev: Evidence) -> Iterator[Mark]:
    hits = ev.hits_of(rule.termsets)
    if not hits:
        return
    require = REQUIRE.of(rule)
    missing = [t for t in require if t not in ev.hits]
    if REQUIRE_MODE.of(rule) == "any" and len(missing) < len(require):
        return
    if missing:
        yield Mark(hits[0].start, hits[0].end, {"missing": ", ".join(ev.title(t) for t in missing)})


# {missing} in messages: the titles of the required term sets not found
KIND = Kind("conditional", check, options=(REQUIRE, REQUIRE_MODE), own_placeholders=("missing",))
