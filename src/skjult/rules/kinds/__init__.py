"""The closed set of rule kinds. Each module has ``KEYS`` (its own YAML keys), ``validate`` and
``check``; packs combine them. Adding a kind means adding a module here, by hand, on purpose."""

from __future__ import annotations

from types import ModuleType

from skjult.rules.kinds import absence, conditional, existence, placement

REGISTRY: dict[str, ModuleType] = {
    "existence": existence,
    "absence": absence,
    "placement": placement,
    "conditional": conditional,
}

KIND_KEYS: dict[str, set[str]] = {name: set(module.KEYS) for name, module in REGISTRY.items()}

# What every message and fix may name: the matched words, the advertiser, and the cues the post's
# commercial level rests on; a kind adds its own (``PLACEHOLDERS`` in its module).
COMMON_PLACEHOLDERS = frozenset({"text", "brand", "brand_for", "evidence"})
KIND_PLACEHOLDERS: dict[str, frozenset[str]] = {
    name: COMMON_PLACEHOLDERS | frozenset(getattr(module, "PLACEHOLDERS", ()))
    for name, module in REGISTRY.items()}
