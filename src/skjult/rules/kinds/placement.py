"""``placement``: the term sets occur, but none where the reader sees it first.

Options under ``placement``: ``before_fold`` (starts before the platform's "more", by characters
or lines), ``before_char_fold`` (before "more" counted in characters alone: a marking pushed down
a few lines is still near the top),
``outside_hashtag_block`` (not among the trailing hashtags), ``first_line``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from skjult.errors import RuleError
from skjult.rules.evidence import Evidence, Mark
from skjult.rules.rule import Rule
from skjult.rules.vocabulary import Hit, TermSet

CHECKS = ("before_fold", "before_char_fold", "outside_hashtag_block", "first_line")
SCHEMA: dict[str, Any] = {"placement": {
    "type": "object", "minProperties": 1, "additionalProperties": False,
    "properties": {c: {"type": "boolean"} for c in CHECKS}}}
KEYS = set(SCHEMA)
PLACEHOLDERS = ("where",)  # in messages: where the label is when it is in the wrong place
REQUIRED: tuple[str, ...] = ("placement",)


def validate(rule: Rule, termsets: Mapping[str, TermSet]) -> None:
    where = rule.options.get("placement")
    if not isinstance(where, dict) or not where:
        raise RuleError(rule.file, rule.line_of("placement"),
                        f"rule {rule.id}: placement needs at least one of {', '.join(CHECKS)}")
    for key, value in where.items():
        if key not in CHECKS or not isinstance(value, bool):
            raise RuleError(rule.file, rule.line_of("placement"), f"rule {rule.id}: placement."
                            f"{key} is not one of {', '.join(CHECKS)} set to true/false")


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
    where = rule.options["placement"]
    problems = [_problems(h, ev, where) for h in hits]
    if any(not p for p in problems):
        return
    yield Mark(hits[0].start, hits[0].end, {"where": problems[0][0]})
