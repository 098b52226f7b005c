"""The rule set of a run: the jurisdiction's pack, packs added to it and the configuration,
put together and checked once.

A ``RuleSet`` is plain, frozen data (term sets, rules, settings; no spaCy objects), so a
worker process, another machine or a server can be handed the very rule set the run uses:
it pickles, and ``skjult.run`` compiles the matchers from it wherever it is checked."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from skjult.config import Config, ConfigError, Suppression, check_selectors, matches
from skjult.errors import RuleError, did_you_mean
from skjult.model import Strength
from skjult.rules.kinds import REGISTRY
from skjult.rules.pack import Pack, available_packs, builtin_pack, load_pack
from skjult.rules.rule import Rule, Supersedes
from skjult.rules.vocabulary import TermSet, word_forms
from skjult.rules.weighing import Weighing

DEFAULT_JURISDICTION = "dk"


class NoActiveRule(ConfigError):
    """The configuration switches every rule off: checking would pass everything unseen."""


class UnknownJurisdiction(RuleError, ValueError):
    """No built-in rule pack has this name: a ``ValueError`` to library callers, a ``RuleError``
    (with what there is, and the configuration's file and line when it names it) to the
    command line."""


@dataclass(frozen=True)
class RuleSet:
    """Everything the judgement of a post needs besides the post, compiled once."""

    pack: Pack  # the jurisdiction's pack, with the configuration's folds
    extra: tuple[Pack, ...]  # packs added by the configuration or the caller
    termsets: Mapping[str, TermSet]  # of every pack, the configured brands included
    rules: tuple[Rule, ...]  # the rules switched on, with the configured severities
    # Every rule loaded, switched on or not (id -> category): what a draft may suppress.
    known_rules: Mapping[str, str]
    ignored: int  # rules loaded but switched off by select/ignore
    config: Config
    today: dt.date  # the day suppressions' expiry dates are judged against
    brand_keys: frozenset[str] = frozenset()  # configured brands as compared (``brand_key``)
    # What the engine looks up for every post, worked out here once:
    superseding: Mapping[str, Supersedes] = field(default_factory=dict)  # rule -> what it stands for
    # Sets whose hits cancel what they contain; those that cancel self-declarations (giveaway
    # boilerplate: "not sponsored by Instagram") come first.
    cancelling: tuple[TermSet, ...] = ()
    users: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)  # term set -> its rules
    # Which rules to ask about a post: those whose term sets occur in it (term set -> positions
    # in ``rules``) and those whose kind can mark a post without them (``absence``). Worked out
    # from ``rules`` when the rule set is made (also by ``dataclasses.replace``).
    asked_for: Mapping[str, tuple[int, ...]] = field(init=False, repr=False)
    always_asked: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        asked_for: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            if REGISTRY[rule.kind].needs_hits:
                for tid in rule.termsets:
                    asked_for.setdefault(tid, []).append(i)
        object.__setattr__(self, "asked_for", {t: tuple(found) for t, found in asked_for.items()})
        object.__setattr__(self, "always_asked", tuple(
            i for i, rule in enumerate(self.rules) if not REGISTRY[rule.kind].needs_hits))

    @property
    def language(self) -> str:
        """The language the pack's captions are tokenized as."""
        return self.pack.language

    @property
    def weighing(self) -> Weighing:
        return self.pack.weighing

    @property
    def suppressions(self) -> tuple[Suppression, ...]:
        return self.config.suppressions

    @property
    def packs(self) -> tuple[Pack, ...]:
        return (self.pack, *self.extra)


def build_ruleset(jurisdiction: str | None = None, extra_packs: Iterable[str | Path] = (),
                  config: Config | None = None, today: dt.date | None = None) -> RuleSet:
    """The rule set for a jurisdiction's pack (default: the configuration's, else dk), with
    ``extra_packs`` and the configuration's packs added, brands, select/ignore and severities
    applied. Raises ``RuleError`` for a pack that cannot be used and ``NoActiveRule`` when the
    configuration leaves no rule on."""
    config = config or Config()
    name = jurisdiction or config.jurisdiction or DEFAULT_JURISDICTION
    known = available_packs()
    if name not in known:
        file, line = "jurisdiction", None
        if not jurisdiction and config.jurisdiction:  # the configuration's (not checked on load)
            where = config.origin("jurisdiction") or config.file or "configuration"
            file, _, number = where.rpartition(":") if ":" in where else (where, "", "")
            line = int(number) if number.isdigit() else None
            file = file or where
        raise UnknownJurisdiction(file, line, f"no rule pack {name!r}",
                                  did_you_mean(name, known) or f"available: {', '.join(known)}")
    pack = builtin_pack(name)
    if config.folds:
        pack = dataclasses.replace(pack, folds={**pack.folds, **config.folds})
    termsets: dict[str, TermSet] = dict(pack.termsets)
    rules: list[Rule] = list(pack.rules)
    extra: list[Pack] = []
    for folder in dict.fromkeys(Path(p).resolve() for p in (*config.packs, *extra_packs)):
        added = load_pack(folder, termsets)
        _check_added(added, folder, rules, termsets, pack)
        termsets.update(added.termsets)
        extra.append(added)
        rules.extend(added.rules)
    if config.brands:
        _add_brands(termsets, config, pack.brand)
    check_selectors(config, rules, available_packs())
    active = tuple(_tuned(rules, config))
    if not active:  # a post checked by no rule must not come back "compliant"
        raise NoActiveRule(config.file or "configuration", None, "no rule is active: "
                           "select/ignore switch every rule off; nothing would be checked")
    _check_supersedes(rules)
    users: dict[str, list[Rule]] = {}
    for rule in active:
        for tid in _termsets_of(rule):
            users.setdefault(tid, []).append(rule)
    return RuleSet(
        pack=pack, extra=tuple(extra), termsets=termsets, rules=active,
        known_rules={rule.id: rule.category for rule in rules},
        ignored=len(rules) - len(active), config=config, today=today or dt.date.today(),
        brand_keys=frozenset(brand_key(name) for name in config.brands),
        superseding={r.id: r.supersedes for r in active if r.supersedes},
        cancelling=tuple(sorted((t for t in termsets.values() if t.cancels),
                                key=lambda t: "self-declared" not in t.cancels)),
        users={tid: tuple(found) for tid, found in users.items()},
    )


def brand_key(name: str) -> str:
    """A brand name as compared with the configured ones: "@Nordlys_Kaffe" is "nordlys_kaffe"."""
    return " ".join(name.strip().lstrip("@#").casefold().split())


def _check_added(added: Pack, folder: Path, rules: list[Rule], termsets: Mapping[str, TermSet],
                 pack: Pack) -> None:
    """An added pack may add rules and term sets, never change those loaded before it."""
    ids = {rule.id for rule in rules}
    clash = next((r for r in added.rules if r.id in ids), None)
    if clash is not None:
        raise RuleError(clash.file, clash.line_of("id"), f"rule id {clash.id!r} is already "
                        "defined by another pack; give it an id of your own pack")
    shadow = next((t for t in added.termsets.values() if t.id in termsets), None)
    if shadow is not None:  # redefining dk.mention would change the built-in rules
        raise RuleError(shadow.file, shadow.line, f"term set id {shadow.id!r} is already "
                        "defined by another pack; give it an id of your own pack")
    if added.weighing != Weighing():
        raise RuleError(str(folder / "pack.yml"), None, "evidence: how cues add up is set by "
                        f"the jurisdiction's pack ({pack.name}); an added pack cannot change it")


def _termsets_of(rule: Rule) -> set[str]:
    used = {*rule.termsets, *rule.when.present, *rule.when.absent}
    require = rule.options.get("require")
    if isinstance(require, list):
        used.update(require)
    return used


def _tuned(rules: list[Rule], config: Config) -> Iterator[Rule]:
    """The rules the configuration selects, with its severities."""
    for rule in rules:
        if config.select and not any(matches(p, rule.id, rule.category) for p in config.select):
            continue
        if any(matches(p, rule.id, rule.category) for p in config.ignore):
            continue
        # The most specific selector wins: an exact id over a glob over a category.
        for selector in sorted(config.severity, key=lambda p: (p != rule.id, p == rule.category)):
            if matches(selector, rule.id, rule.category):
                rule = dataclasses.replace(rule, severity=config.severity[selector])
                break
        yield rule


def _add_brands(termsets: dict[str, TermSet], config: Config, brand_set: str | None) -> None:
    """The user's brands: commercial evidence, and names that say whom a label is for."""
    words: list[str] = []
    phrases: list[str] = []
    for name in config.brands:
        if " " in name:
            phrases.append(name)
            continue
        words.extend(word_forms(name.lstrip("@#"), hashtags=True, mentions=True))
    brands = TermSet(id="config.brands", kind="signal", title="brand from the configuration",
                     strength=Strength[config.brand_strength.upper()], words=tuple(words),
                     phrases=tuple(phrases), file=config.file or "", line=None)
    termsets[brands.id] = brands
    if brand_set and brand_set in termsets:
        known = termsets[brand_set]
        termsets[brand_set] = dataclasses.replace(known, words=known.words + brands.words,
                                                  phrases=known.phrases + brands.phrases)


def _check_supersedes(rules: list[Rule]) -> None:
    """Every rule a ``supersedes`` names must be loaded (from any pack of the run)."""
    ids = [rule.id for rule in rules]
    for rule in rules:
        for rid in rule.supersedes.rules if rule.supersedes else ():
            if rid not in ids:
                raise RuleError(rule.file, rule.line_of("supersedes"), f"rule {rule.id}: "
                                f"supersedes unknown rule {rid!r}", did_you_mean(rid, ids))
