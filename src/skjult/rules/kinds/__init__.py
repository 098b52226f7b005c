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
