"""The JSON Schema of rule files, built from the same registries the loader validates with, so
the published schema and the loader cannot drift apart. ``skjult rules schema`` prints it;
``docs/rule-schema.json`` is a copy a test keeps current."""

from __future__ import annotations

from typing import Any

from skjult.i18n import LANGS
from skjult.model import AUDIENCES, CATEGORIES
from skjult.rules.kinds import REGISTRY
from skjult.rules.rule import AUTOFIX, LANGUAGES, LEVELS

SCHEMA_ID = "https://skjult.invalid/schema/rule-1.json"

_TEXTS = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "required": list(LANGS), "additionalProperties": False,
         "properties": {lang: {"type": "string", "minLength": 1} for lang in LANGS}},
    ]
}


def _words(values: Any = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "string"} if values is None else {"enum": list(values)}
    return {"oneOf": [item, {"type": "array", "items": item}]}


def rule_schema() -> dict[str, Any]:
    common: dict[str, Any] = {
        "id": {"type": "string", "pattern": r"^[a-z0-9]+\.[a-z0-9]+(-[a-z0-9]+)*$",
               "description": "pack.name, unique across the loaded packs"},
        "kind": {"enum": list(REGISTRY)},
        "category": {"enum": list(CATEGORIES)},
        "severity": {"enum": ["error", "warning", "info"]},
        "termsets": {"oneOf": [{"type": "string"},
                               {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
        "when": {"type": "object", "additionalProperties": False, "properties": {
            "commercial": _words(LEVELS),
            "present": _words(),
            "absent": _words(),
            "language": _words(LANGUAGES),
            "audience": _words(AUDIENCES),
            "platform": _words(),
        }},
        "message": _TEXTS,
        "fix": _TEXTS,
        "source": {"type": "string", "pattern": "^https?://",
                   "description": "URL of the guidance the rule encodes"},
        "description": {"type": "string"},
        "autofix": {"enum": list(AUTOFIX)},
        "supersedes": {
            "type": "object", "required": ["rules"], "additionalProperties": False,
            "description": "one problem, one finding: where this rule and one of these point at "
                           "the same words, this rule's finding stands for both, with this "
                           "message, fix and autofix",
            "properties": {
                "rules": {"oneOf": [{"type": "string"},
                                    {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
                "message": _TEXTS,
                "fix": _TEXTS,
                "autofix": {"enum": list(AUTOFIX)},
            }},
    }
    variants = []
    for name, kind in REGISTRY.items():  # each kind's own keys, from its options' declarations
        variants.append({
            "if": {"properties": {"kind": {"const": name}}},
            "then": {"properties": {**common, "kind": {"const": name}, **kind.schema()},
                     "required": list(kind.required), "additionalProperties": False},
        })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "skjult rule file (rules/<pack>/rules/<name>.yml)",
        "type": "object",
        "required": ["id", "kind", "category", "severity", "termsets", "message", "source"],
        "allOf": variants,
    }
