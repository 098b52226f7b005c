"""``placement``: the term sets occur, but none where the reader sees it first.

Options under ``placement``: ``before_fold`` (starts before the platform's "more", by characters
or lines), ``before_char_fold`` (before "more" counted in characters alone: a marking pushed down
a few lines is still near the top),
``outside_hashtag_block`` (not among the trailing hashtags), ``first_line``."""

from __future__ import annotations

from collections.abc import Iterator

from skjult.rules.evidence import Evidence, Mark
from skjult.rules.kinds.base import Flags, Kind
from skjult.rules.rule import Rule
from skjult.rules.vocabulary import Hit

CHECKS = ("before_fold", "before_char_fold", "outside_hashtag_block", "first_line")
PLACEMENT = Flags("placement", flags=CHECKS, required=True)


def _problems(hit: Hit, ev: Evidence, where: dict[str, bool]) -> list[str]:
    caption = ev.caption
    problems = []
    if where.get("outside_hashtag_block") and caption.in_hashtag_block(hit.start):
        problems.append("hashtag-block")
    if where.get("before_fold") and not caption.before_fold(hit.start):
        problems.append("after-fold")
    if where.get("before_char_fold") and not caption.before_char_fold(hit.start):
        problems.append("after-fold")
    if where.get("first_line") and hit.start > caption.lines[0][1]:
        problems.append("not-first-line")
    return problems


def check(rule: Rule, ev: Evidence) -> Iterator[Mark]:
    hits = ev.hits_of(rule.termsets)
    if not hits:
        return
    where = PLACEMENT.of(rule)
    problems = [_problems(h, ev, where) for h in hits]
    if any(not p for p in problems):
        return
    yield Mark(hits[0].start, hits[0].end, {"where": problems[0][0]})


# {where} in messages: where the label is when it is in the wrong place
KIND = Kind("placement", check, options=(PLACEMENT,), own_placeholders=("where",))
