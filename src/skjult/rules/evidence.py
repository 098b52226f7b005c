"""What the matchers found in one post, as the rule kinds see it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from skjult.caption import Caption
from skjult.model import Commercial, Post
from skjult.rules.errors import RuleError
from skjult.rules.rule import Rule
from skjult.rules.vocabulary import Hit, TermSet


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a rule points (offsets into the normalized caption) and values for its message."""

    start: int
    end: int
    values: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Evidence:
    post: Post
    caption: Caption
    hits: dict[str, list[Hit]]
    commercial: Commercial
    termsets: dict[str, TermSet]
    anchor: tuple[int, int]  # the strongest commercial signal in the text, or the caption start
    reason: str  # what makes the post commercial, for messages: "»koden ANNA20«" or a flag's title

    def has(self, termsets: Iterable[str]) -> bool:
        return any(t in self.hits for t in termsets)

    def hits_of(self, termsets: Iterable[str]) -> list[Hit]:
        out = [h for t in termsets for h in self.hits.get(t, ())]
        out.sort(key=lambda h: (h.start, h.end))
        return out

    def title(self, termset: str) -> str:
        return self.termsets[termset].title


def check_options(rule: Rule, allowed: dict[str, type]) -> None:
    """Type-check a kind's own options; shared by the kind modules."""
    for key, expected in allowed.items():
        if key in rule.options and not isinstance(rule.options[key], expected):
            raise RuleError(rule.file, rule.line_of(key), f"rule {rule.id}: {key} must be a "
                            f"{expected.__name__}")
