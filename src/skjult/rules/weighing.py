"""How commercial cues add up to the level a post is judged at (a pack's ``evidence:`` section).

A strong or hard cue decides on its own. A weak cue alone proves little — a tagged brand, "link i
bio" or product talk are in ordinary posts every day — so weak cues are counted: cues of one
``group`` (a term set is its own group unless it names one) count once, and the pack's
``combine`` list says how many independent weak cues give which level. A weak term set marked
``specific`` (a giveaway, the creator's own shop) is worth a look on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from skjult.errors import RuleError
from skjult.model import Signal, Strength
from skjult.rules.vocabulary import STRENGTHS, TermSet


@dataclass(frozen=True)
class Combination:
    cues: int  # independent weak cues needed ...
    level: Strength  # ... for the post to be judged at this level


@dataclass(frozen=True)
class Weighing:
    # Without an ``evidence`` section every weak cue alone makes a post worth a look.
    combine: tuple[Combination, ...] = (Combination(1, Strength.WEAK),)

    def weigh(self, signals: Iterable[Signal], termsets: Mapping[str, TermSet]
              ) -> tuple[Strength, tuple[Signal, ...]]:
        """The level the signals support and the signals it rests on (in caption order)."""
        signals = list(signals)
        firm = [s for s in signals if s.strength >= Strength.STRONG]
        if firm:
            top = max(s.strength for s in firm)
            return top, tuple(s for s in firm if s.strength == top)
        by_group: dict[str, Signal] = {}  # one cue per group: its first specific one, else its first
        for s in sorted((s for s in signals if s.strength == Strength.WEAK), key=_position):
            termset = termsets.get(s.termset)
            group = (termset.group or s.termset) if termset else s.termset
            if group not in by_group or (_specific(s, termsets)
                                         and not _specific(by_group[group], termsets)):
                by_group[group] = s
        cues = tuple(sorted(by_group.values(), key=_position))
        level = max((c.level for c in self.combine if len(cues) >= c.cues), default=Strength.NONE)
        if level > Strength.NONE:
            return level, cues
        specific = tuple(s for s in cues if _specific(s, termsets))
        if specific:
            return Strength.WEAK, specific
        return Strength.NONE, ()


def _specific(signal: Signal, termsets: Mapping[str, TermSet]) -> bool:
    termset = termsets.get(signal.termset)
    return termset is not None and termset.specific


def _position(signal: Signal) -> int:
    return -1 if signal.start is None else signal.start


def parse_weighing(file: str, raw: Any, line: int | None) -> Weighing:
    """``evidence: {combine: [{cues: 2, level: weak}, ...]}`` from pack.yml."""
    if raw is None:
        return Weighing()
    hint = "evidence: {combine: [{cues: 2, level: weak}, {cues: 3, level: strong}]}"
    if not isinstance(raw, dict) or set(raw) != {"combine"} or not isinstance(raw["combine"], list):
        raise RuleError(file, line, "evidence needs a combine list", hint)
    out = []
    for item in raw["combine"]:
        if (not isinstance(item, dict) or set(item) != {"cues", "level"}
                or not isinstance(item["cues"], int) or isinstance(item["cues"], bool)
                or item["cues"] < 1 or item["level"] not in ("weak", "strong", "hard")):
            raise RuleError(file, line, "each evidence.combine entry is {cues: N (1 or more), "
                            "level: weak|strong|hard}", hint)
        out.append(Combination(item["cues"], STRENGTHS[item["level"]]))
    return Weighing(tuple(sorted(out, key=lambda c: c.cues)))
