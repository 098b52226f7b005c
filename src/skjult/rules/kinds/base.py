"""What a rule kind is: a name, its own options declared once, the placeholders its marks fill,
and the check that turns a post's evidence into marks.

An option is declared once (name, type, default, constraints) and everything else is derived
from that declaration: the kind's allowed and required YAML keys, its fragment of the published
JSON Schema (``skjult rules schema``) and the loader's validation with its located messages. The
schema and the loader therefore cannot disagree about what a kind accepts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from skjult.errors import RuleError
from skjult.rules.evidence import Evidence, Mark
from skjult.rules.rule import COMMON_KEYS, Rule
from skjult.rules.vocabulary import TermSet

T = TypeVar("T")

# What every message and fix may name: the matched words, the advertiser, and the cues the post's
# commercial level rests on; a kind adds its own (``Kind.own_placeholders``).
COMMON_PLACEHOLDERS = frozenset({"text", "brand", "brand_for", "evidence"})


def _either(values: tuple[str, ...]) -> str:
    """``'all' or 'any'``; ``'a', 'b' or 'c'``: the allowed values as a message says them."""
    quoted = [repr(v) for v in values]
    head = ", ".join(quoted[:-1])
    return f"{head} or {quoted[-1]}" if head else quoted[-1]


@dataclass(frozen=True)
class Option(ABC, Generic[T]):
    """One YAML key of a kind's own. ``problem`` says what is wrong with a value (without file
    and line: ``Kind.validate`` adds those); ``of`` reads the value of a validated rule."""

    name: str
    required: bool = field(default=False, kw_only=True)

    @abstractmethod
    def schema(self) -> dict[str, Any]:
        """The option's JSON Schema (the value under ``properties``)."""

    @abstractmethod
    def problem(self, value: Any, termsets: Mapping[str, TermSet]) -> str | None:
        """What is wrong with ``value`` (``None`` for a required option left out), or None."""

    @abstractmethod
    def of(self, rule: Rule) -> T:
        """The value in a validated rule, or the default when the rule leaves it out."""


@dataclass(frozen=True)
class Integer(Option[int | None]):
    """A whole number, at least ``minimum``; ``None`` when left out."""

    minimum: int | None = None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        return out

    def problem(self, value: Any, termsets: Mapping[str, TermSet]) -> str | None:
        # YAML's true/false are Python ints; the schema's "integer" refuses them, and so do we
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{self.name} must be a int"
        if self.minimum is not None and value < self.minimum:
            return f"{self.name} must be at least {self.minimum}"
        return None

    def of(self, rule: Rule) -> int | None:
        value = rule.options.get(self.name)
        return None if value is None else int(value)


@dataclass(frozen=True)
class Choice(Option[str]):
    """One of a few words; ``default`` when left out."""

    values: tuple[str, ...]
    default: str = ""

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.values)}

    def problem(self, value: Any, termsets: Mapping[str, TermSet]) -> str | None:
        if value not in self.values:
            return f"{self.name} is {_either(self.values)}"
        return None

    def of(self, rule: Rule) -> str:
        return str(rule.options.get(self.name, self.default))


@dataclass(frozen=True)
class TermSets(Option[tuple[str, ...]]):
    """A list of ids of term sets the pack can see, at least ``min_items`` of them."""

    min_items: int = 1

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}, "minItems": self.min_items}

    def problem(self, value: Any, termsets: Mapping[str, TermSet]) -> str | None:
        if (not isinstance(value, list) or len(value) < self.min_items
                or not all(isinstance(t, str) for t in value)):
            return f"{self.name} must list term sets"
        for tid in value:
            if tid not in termsets:
                return f"unknown term set {tid!r} in {self.name}"
        return None

    def of(self, rule: Rule) -> tuple[str, ...]:
        return tuple(rule.options.get(self.name) or ())


@dataclass(frozen=True)
class Flags(Option[dict[str, bool]]):
    """A mapping of some of ``flags`` to true/false, with at least one of them."""

    flags: tuple[str, ...]

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "minProperties": 1, "additionalProperties": False,
                "properties": {f: {"type": "boolean"} for f in self.flags}}

    def problem(self, value: Any, termsets: Mapping[str, TermSet]) -> str | None:
        listed = ", ".join(self.flags)
        if not isinstance(value, dict) or not value:
            return f"{self.name} needs at least one of {listed}"
        for key, flag in value.items():
            if key not in self.flags or not isinstance(flag, bool):
                return f"{self.name}.{key} is not one of {listed} set to true/false"
        return None

    def of(self, rule: Rule) -> dict[str, bool]:
        return dict(rule.options.get(self.name) or {})


Check = Callable[[Rule, Evidence], Iterator[Mark]]


@dataclass(frozen=True)
class Kind:
    """A rule kind: ``check(rule, evidence)`` yields the rule's marks on one post."""

    name: str
    check: Check
    options: tuple[Option[Any], ...] = ()
    own_placeholders: tuple[str, ...] = ()  # what its marks fill in beside the common ones
    # Whether a rule of this kind can only mark a post where its term sets occur (the engine
    # then does not ask it about the others: most rules, most posts). ``absence`` cannot.
    needs_hits: bool = True

    def __post_init__(self) -> None:
        # a kind's key must not shadow a key every rule has, nor be declared twice
        names = [o.name for o in self.options]
        for name in names:
            if name in COMMON_KEYS or names.count(name) > 1:
                raise ValueError(f"kind {self.name}: option {name!r} is declared twice or is a "
                                 "key of every rule")

    @property
    def keys(self) -> tuple[str, ...]:
        """The YAML keys of the kind's own, in the order they are declared."""
        return tuple(o.name for o in self.options)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options if o.required)

    @property
    def placeholders(self) -> frozenset[str]:
        """Every ``{name}`` a message or fix of a rule of this kind may use."""
        return COMMON_PLACEHOLDERS | frozenset(self.own_placeholders)

    def schema(self) -> dict[str, Any]:
        """The kind's own keys for the rule schema's ``properties``."""
        return {o.name: o.schema() for o in self.options}

    def validate(self, rule: Rule, termsets: Mapping[str, TermSet]) -> None:
        """The rule's own options, in the order declared; the first problem is a ``RuleError``
        at the option's line."""
        for option in self.options:
            if option.name not in rule.options and not option.required:
                continue
            problem = option.problem(rule.options.get(option.name), termsets)
            if problem is not None:
                raise RuleError(rule.file, rule.line_of(option.name), f"rule {rule.id}: {problem}")
