"""Finding, loading and validating rule packs (folders of YAML)."""

from __future__ import annotations

import dataclasses
import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from skjult.caption import Fold
from skjult.errors import RuleError, did_you_mean
from skjult.model import Strength
from skjult.rules.cache import cached
from skjult.rules.kinds import REGISTRY
from skjult.rules.rule import Rule, parse_rule
from skjult.rules.vocabulary import (
    BUILTIN_TIMEOUT,
    BUILTIN_TIMEOUT_FROM,
    MAX_WORDS_PER_PACK,
    STRENGTHS,
    TermSet,
    parse_termset,
    resolve_includes,
)
from skjult.rules.weighing import Weighing, parse_weighing
from skjult.rules.yamlsource import load

PACK_KEYS = {"pack", "version", "title", "language", "folds", "metadata", "source", "brand", "autofix",
             "shared", "evidence"}
AUTOFIX_KEYS = {"label", "label_for", "separator"}
METADATA_FIELDS = ("paid_partnership",)


def _check_placeholders(file: str, rule: Rule) -> None:
    """A ``{name}`` in a message or fix that nothing fills would reach users as it is."""
    allowed = REGISTRY[rule.kind].placeholders
    texts = [("message", rule.message), ("fix", rule.fix)]
    if rule.supersedes is not None:
        texts += [("supersedes", rule.supersedes.message), ("supersedes", rule.supersedes.fix)]
    for key, by_lang in texts:
        for text in by_lang.values():
            for _, name, _, _ in string.Formatter().parse(text):
                if name is not None and name not in allowed:
                    raise RuleError(file, rule.line_of(key), f"rule {rule.id}: {{{name}}} in "
                                    f"{key} is not filled in for a {rule.kind} rule; one of "
                                    + ", ".join(f"{{{n}}}" for n in sorted(allowed)),
                                    did_you_mean(name, allowed))


def builtin_root() -> Path:
    """The packs shipped with skjult: inside the wheel, or ``rules/`` in a source checkout."""
    shipped = resources.files("skjult").joinpath("packs")
    if shipped.is_dir():
        return Path(str(shipped))
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if checkout.is_dir():
        return checkout
    raise RuleError(str(shipped), None, "the built-in rule packs are missing from this install")


def available_packs() -> list[str]:
    root = builtin_root()
    return sorted(p.name for p in root.iterdir() if (p / "pack.yml").is_file())


@dataclass(frozen=True)
class MetadataSignal:
    field: str
    strength: Strength
    title: str


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    language: str
    folds: dict[str, Fold]
    metadata: tuple[MetadataSignal, ...]
    brand: str | None  # term set naming the advertiser, for {brand} in messages
    autofix: dict[str, str]  # the label --fix writes: label, label_for ({brand}), separator
    weighing: Weighing  # how weak cues add up (pack.yml ``evidence``)
    termsets: dict[str, TermSet]
    rules: tuple[Rule, ...]
    root: Path
    version: str = ""  # pack.yml ``version``: which edition of the rules a report was made with

    def fold_for(self, platform: str | None) -> Fold:
        return self.folds.get((platform or "").lower()) or self.folds.get("default") or Fold(125)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _folds(file: str, raw: Any, line: int | None) -> dict[str, Fold]:
    if raw is None:
        return {"default": Fold(125)}
    if not isinstance(raw, dict):
        raise RuleError(file, line, "folds must map platform names to {chars: N, lines: N}")
    folds = {}
    for platform, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("chars"), int):
            raise RuleError(file, line, f"folds.{platform} needs chars: <number>")
        lines = spec.get("lines")
        folds[str(platform)] = Fold(chars=spec["chars"], lines=lines if isinstance(lines, int) else None)
    return folds


def _metadata(file: str, raw: Any, line: int | None) -> tuple[MetadataSignal, ...]:
    out = []
    for field, spec in (raw or {}).items():
        if field not in METADATA_FIELDS:
            raise RuleError(file, line, f"metadata: unknown field {field!r}",
                            did_you_mean(str(field), METADATA_FIELDS))
        if not isinstance(spec, dict) or spec.get("strength") not in STRENGTHS:
            raise RuleError(file, line, f"metadata.{field} needs a strength")
        out.append(MetadataSignal(field, STRENGTHS[spec["strength"]], str(spec.get("title", field))))
    return tuple(out)


def load_pack(root: Path, known: Mapping[str, TermSet] | None = None) -> Pack:
    """Load and validate one pack folder: ``pack.yml``, ``vocabulary/*.yml``, ``rules/*.yml``.

    ``known`` are term sets of packs loaded before (an added pack may use the built-in ones)."""
    manifest_path = root / "pack.yml"
    if not manifest_path.is_file():
        raise RuleError(str(root), None, "not a rule pack: pack.yml is missing")
    manifest = load(manifest_path)
    data = manifest.data
    if not isinstance(data, dict) or not isinstance(data.get("pack"), str):
        raise RuleError(manifest.file, 1, "pack.yml needs 'pack: <name>'")
    for key in data:
        if key not in PACK_KEYS:
            raise RuleError(manifest.file, manifest.line(key), f"unknown key {key!r}",
                            did_you_mean(str(key), PACK_KEYS))

    shared = data.get("shared") or []
    if not isinstance(shared, list) or not all(isinstance(f, str) for f in shared):
        raise RuleError(manifest.file, manifest.line("shared"), "shared lists folders (relative to "
                        "the pack) whose vocabulary/*.yml the pack uses too")
    folders = []
    for i, name in enumerate(shared):
        folder = (root / name).resolve()
        if not (folder / "vocabulary").is_dir():
            raise RuleError(manifest.file, manifest.line("shared", i), f"shared: {name} has no "
                            "vocabulary folder")
        folders.append(folder)
    folders.append(root)

    termsets: dict[str, TermSet] = {}
    words = 0
    for path in (p for folder in folders for p in sorted((folder / "vocabulary").glob("*.yml"))):
        doc = load(path)
        items = doc.data.get("termsets") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            raise RuleError(doc.file, 1, "a vocabulary file holds 'termsets:' followed by a list")
        for i, raw in enumerate(items):
            termset = parse_termset(doc, ("termsets", i), raw)
            words += len(termset.words)
            if words > MAX_WORDS_PER_PACK:
                raise RuleError(doc.file, doc.line("termsets", i, "words"), f"term set "
                                f"{termset.id}: the pack's words, with their forms, come to more "
                                f"than {MAX_WORDS_PER_PACK:,} (the limit of a pack)")
            if termset.id in termsets:
                raise RuleError(doc.file, doc.line("termsets", i, "id"), f"duplicate term set id "
                                f"{termset.id!r} (first in {termsets[termset.id].file})")
            termsets[termset.id] = termset

    visible = {**(known or {}), **termsets}
    resolve_includes(visible)
    termsets = {tid: visible[tid] for tid in termsets}
    rules: dict[str, Rule] = {}
    for path in sorted((root / "rules").glob("*.yml")):
        doc = load(path)
        rule = parse_rule(doc, {name: kind.keys for name, kind in REGISTRY.items()})
        _check_placeholders(doc.file, rule)
        if rule.id in rules:
            raise RuleError(doc.file, doc.line("id"), f"duplicate rule id {rule.id!r} (first in "
                            f"{rules[rule.id].file})")
        referenced = [*((t, ("termsets",)) for t in rule.termsets),
                      *((t, ("when", "present")) for t in rule.when.present),
                      *((t, ("when", "absent")) for t in rule.when.absent)]
        for tid, where in referenced:
            if tid not in visible:
                raise RuleError(doc.file, doc.line(*where), f"rule {rule.id}: unknown term set "
                                f"{tid!r}", did_you_mean(tid, visible))
        REGISTRY[rule.kind].validate(rule, visible)
        rules[rule.id] = rule

    brand = data.get("brand")
    if brand is not None and brand not in termsets:
        raise RuleError(manifest.file, manifest.line("brand"), f"brand: unknown term set {brand!r}",
                        did_you_mean(str(brand), termsets))
    autofix = data.get("autofix") or {}
    if not isinstance(autofix, dict) or not set(autofix) <= AUTOFIX_KEYS:
        raise RuleError(manifest.file, manifest.line("autofix"), "autofix: expected label, "
                        "label_for and separator")
    return Pack(
        name=data["pack"],
        title=str(data.get("title", data["pack"])),
        language=str(data.get("language", "da")),
        folds=_folds(manifest.file, data.get("folds"), manifest.line("folds")),
        metadata=_metadata(manifest.file, data.get("metadata"), manifest.line("metadata")),
        brand=brand,
        autofix={k: str(v) for k, v in autofix.items()},
        weighing=parse_weighing(manifest.file, data.get("evidence"), manifest.line("evidence")),
        termsets=termsets,
        rules=tuple(rules.values()),
        root=root,
        version=str(data.get("version", "")),
    )


@functools.lru_cache(maxsize=8)
def builtin_pack(name: str) -> Pack:
    root = builtin_root()
    folder = root / name
    if not (folder / "pack.yml").is_file():
        raise RuleError("jurisdiction", None, f"no rule pack {name!r}",
                        did_you_mean(name, available_packs()) or
                        f"available: {', '.join(available_packs())}")
    return cached(folder, "builtin", lambda: _trusted(load_pack(folder)), pack_folders)


def _trusted(pack: Pack) -> Pack:
    """Shipped patterns are ours, reviewed and tested to run in linear time on hostile text: a
    generous time-out, checked on long captions only (see ``BUILTIN_TIMEOUT``)."""
    return dataclasses.replace(pack, termsets={
        tid: dataclasses.replace(t, timeout=BUILTIN_TIMEOUT, timeout_from=BUILTIN_TIMEOUT_FROM)
        for tid, t in pack.termsets.items()})


def pack_folders(pack: Pack) -> list[Path]:
    """Every folder a pack was read from: its own and the shared vocabularies it uses."""
    return sorted({pack.root.resolve(), *(Path(t.file).resolve().parents[1]
                                          for t in pack.termsets.values() if t.file)})
