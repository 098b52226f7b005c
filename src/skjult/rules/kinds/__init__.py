"""The closed set of rule kinds, by name. Each is a ``Kind`` (see ``base``): its options declared
once, the placeholders its marks fill, and its check. Adding a kind means adding a module here
and its ``KIND`` below, by hand, on purpose."""

from __future__ import annotations

from skjult.rules.kinds import absence, conditional, existence, placement
from skjult.rules.kinds.base import COMMON_PLACEHOLDERS, Kind

REGISTRY: dict[str, Kind] = {kind.name: kind for kind in (
    existence.KIND,
    absence.KIND,
    placement.KIND,
    conditional.KIND,
)}

__all__ = ["COMMON_PLACEHOLDERS", "REGISTRY", "Kind"]
