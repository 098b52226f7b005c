"""Rule packs: loading and validating YAML, the rule kinds, annotated rule tests."""

from skjult.errors import RuleError
from skjult.rules.pack import Pack, available_packs, builtin_pack, load_pack

__all__ = ["Pack", "RuleError", "available_packs", "builtin_pack", "load_pack"]
