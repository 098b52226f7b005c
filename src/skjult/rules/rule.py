"""A rule: which kind of check, over which term sets, when, and what to tell the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from skjult.errors import RuleError, did_you_mean
from skjult.i18n import LANGS
from skjult.model import AUDIENCES, CATEGORIES, Severity, Strength
from skjult.rules.yamlsource import Located

COMMON_KEYS = {"id", "kind", "category", "severity", "termsets", "when", "message", "fix",
               "source", "description", "autofix", "supersedes"}
SUPERSEDES_KEYS = {"rules", "message", "fix", "autofix"}
# What ``--fix`` may do for a finding of a rule (see skjult.fix): put the pack's label first;
# also take out the matched words when they are a hashtag (a buried or weak label).
AUTOFIX = ("prepend-label", "replace-with-label")
WHEN_KEYS = {"commercial", "present", "absent", "language", "audience", "platform"}
LEVELS = {s.label: s for s in Strength}
LANGUAGES = (*LANGS, "other", "unknown")  # what a caption's language may be detected as


@dataclass(frozen=True)
class When:
    """Conditions a post must meet for the rule to be checked at all."""

    commercial: frozenset[Strength] | None = None
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    language: frozenset[str] | None = None
    audience: frozenset[str] | None = None
    platform: frozenset[str] | None = None


@dataclass(frozen=True)
class Supersedes:
    """One problem, one finding: where this rule and one of ``rules`` point at the same words,
    this rule's finding stands for both (the other is dropped), with the message, fix and
    autofix given here in place of the rule's own (each optional)."""

    rules: tuple[str, ...]
    message: dict[str, str] = field(default_factory=dict)
    fix: dict[str, str] = field(default_factory=dict)
    autofix: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    category: str
    severity: Severity
    termsets: tuple[str, ...]
    when: When
    message: dict[str, str]
    fix: dict[str, str]
    source: str
    description: str
    options: dict[str, Any] = field(default_factory=dict)  # the kind's own keys
    autofix: str | None = None
    supersedes: Supersedes | None = None
    file: str = ""
    line: int | None = None
    key_lines: dict[str, int | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def pack(self) -> str:
        return self.id.split(".", 1)[0]

    def line_of(self, key: str) -> int | None:
        """The line of one of the rule's keys in its file, for error messages."""
        return self.key_lines.get(key) or self.line


def _texts(doc: Located, key: str, raw: Any, required: bool, at: tuple[str, ...] = ()
           ) -> dict[str, str]:
    value = raw.get(key)
    if value is None and not required:
        return {}
    if isinstance(value, str):
        return dict.fromkeys(LANGS, value)
    if not isinstance(value, dict) or not set(LANGS) <= set(value) or not all(
        isinstance(v, str) and v.strip() for v in value.values()
    ):
        raise RuleError(doc.file, doc.line(*at, key), f"{key} needs a Danish and an English text "
                        "(keys 'da' and 'en')")
    return {lang: value[lang].strip() for lang in LANGS}


def _autofix(doc: Located, rid: str, path: tuple[str, ...], value: Any) -> str | None:
    if value is not None and value not in AUTOFIX:
        raise RuleError(doc.file, doc.line(*path), f"rule {rid}: unknown autofix {value!r}",
                        did_you_mean(str(value), AUTOFIX) or f"one of {', '.join(AUTOFIX)}")
    return None if value is None else str(value)


def _supersedes(doc: Located, rid: str, raw: Any) -> Supersedes | None:
    """``supersedes: {rules: [...], message: {da, en}, fix: {da, en}, autofix: ...}``; whether the
    rules exist is checked once every pack is loaded (skjult.engine)."""
    if raw is None:
        return None
    hint = "supersedes: {rules: [dk.label-weak], message: {da: ..., en: ...}}"
    if not isinstance(raw, dict):
        raise RuleError(doc.file, doc.line("supersedes"), f"rule {rid}: supersedes must be a "
                        "mapping with rules and, optionally, message, fix and autofix", hint)
    for key in raw:
        if key not in SUPERSEDES_KEYS:
            raise RuleError(doc.file, doc.line("supersedes", key), f"rule {rid}: unknown key "
                            f"{key!r} in supersedes", did_you_mean(str(key), SUPERSEDES_KEYS))
    rules = raw.get("rules")
    if isinstance(rules, str):
        rules = [rules]
    if (not isinstance(rules, list) or not rules
            or not all(isinstance(r, str) and r for r in rules)):
        raise RuleError(doc.file, doc.line("supersedes", "rules"),
                        f"rule {rid}: supersedes.rules must list at least one rule id", hint)
    if rid in rules:
        raise RuleError(doc.file, doc.line("supersedes", "rules"), f"rule {rid}: a rule cannot "
                        "supersede itself")
    return Supersedes(
        rules=tuple(rules),
        message=_texts(doc, "message", raw, required=False, at=("supersedes",)),
        fix=_texts(doc, "fix", raw, required=False, at=("supersedes",)),
        autofix=_autofix(doc, rid, ("supersedes", "autofix"), raw.get("autofix")),
    )


def _set(doc: Located, path: tuple[str, ...], value: Any, allowed: tuple[str, ...] | None
         ) -> frozenset[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise RuleError(doc.file, doc.line(*path), f"{path[-1]} must be a word or a list of words")
    if allowed is not None:
        for v in items:
            if v not in allowed:
                raise RuleError(doc.file, doc.line(*path), f"{path[-1]}: unknown value {v!r}",
                                did_you_mean(v, allowed) or f"one of {', '.join(allowed)}")
    return frozenset(items)


def _when(doc: Located, raw: Any) -> When:
    if raw is None:
        return When()
    if not isinstance(raw, dict):
        raise RuleError(doc.file, doc.line("when"), "when must be a mapping")
    for key in raw:
        if key not in WHEN_KEYS:
            raise RuleError(doc.file, doc.line("when", key), f"unknown condition {key!r}",
                            did_you_mean(str(key), WHEN_KEYS))
    levels = _set(doc, ("when", "commercial"), raw.get("commercial"), tuple(LEVELS))
    present = _set(doc, ("when", "present"), raw.get("present"), None) or frozenset()
    absent = _set(doc, ("when", "absent"), raw.get("absent"), None) or frozenset()
    return When(
        commercial=frozenset(LEVELS[v] for v in levels) if levels is not None else None,
        present=tuple(sorted(present)),
        absent=tuple(sorted(absent)),
        language=_set(doc, ("when", "language"), raw.get("language"), LANGUAGES),
        audience=_set(doc, ("when", "audience"), raw.get("audience"), AUDIENCES),
        platform=_set(doc, ("when", "platform"), raw.get("platform"), None),
    )


def parse_rule(doc: Located, kind_keys: dict[str, tuple[str, ...]]) -> Rule:
    """Validate a rule file's mapping; ``kind_keys`` maps each registered kind to its own keys
    (``Kind.keys``: the kind's options are checked by ``Kind.validate`` once term sets are known)."""
    raw = doc.data
    if not isinstance(raw, dict):
        raise RuleError(doc.file, 1, "a rule file must be a mapping with id, kind, message, ...")
    rid = raw.get("id")
    if not isinstance(rid, str) or not regex.fullmatch(r"[a-z0-9]+\.[a-z0-9]+(?:-[a-z0-9]+)*", rid):
        raise RuleError(doc.file, doc.line("id"), "rule needs an id like 'dk.label-missing'")
    kind = raw.get("kind")
    if kind not in kind_keys:
        raise RuleError(doc.file, doc.line("kind"), f"rule {rid}: unknown kind {kind!r}",
                        did_you_mean(str(kind), kind_keys) or f"one of {', '.join(kind_keys)}")
    allowed = COMMON_KEYS | set(kind_keys[kind])
    for key in raw:
        if key not in allowed:
            raise RuleError(doc.file, doc.line(key), f"rule {rid}: unknown key {key!r}",
                            did_you_mean(str(key), allowed))
    category = raw.get("category")
    if category not in CATEGORIES:
        raise RuleError(doc.file, doc.line("category"), f"rule {rid}: unknown category "
                        f"{category!r}", did_you_mean(str(category), CATEGORIES))
    try:
        severity = Severity(str(raw.get("severity")))
    except ValueError:
        raise RuleError(doc.file, doc.line("severity"), f"rule {rid}: severity must be error, "
                        "warning or info") from None
    termsets = raw.get("termsets")
    if isinstance(termsets, str):
        termsets = [termsets]
    if not isinstance(termsets, list) or not termsets or not all(isinstance(t, str) for t in termsets):
        raise RuleError(doc.file, doc.line("termsets"), f"rule {rid}: termsets must list at least "
                        "one term set id")
    source = raw.get("source")
    if not isinstance(source, str) or not source.startswith(("http://", "https://")):
        raise RuleError(doc.file, doc.line("source"), f"rule {rid}: source must be the URL of the "
                        "guidance the rule encodes")
    autofix = _autofix(doc, rid, ("autofix",), raw.get("autofix"))
    return Rule(
        id=rid,
        kind=kind,
        category=category,
        severity=severity,
        termsets=tuple(termsets),
        when=_when(doc, raw.get("when")),
        message=_texts(doc, "message", raw, required=True),
        fix=_texts(doc, "fix", raw, required=False),
        source=source,
        description=str(raw.get("description", "")).strip(),
        options={k: raw[k] for k in kind_keys[kind] if k in raw},
        autofix=autofix,
        supersedes=_supersedes(doc, rid, raw.get("supersedes")),
        file=doc.file,
        line=1,
        key_lines={str(k): doc.line(k) for k in raw},
    )
