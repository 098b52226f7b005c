"""The categories in plain language: a Danish and an English title and one sentence each.

The ids are the public taxonomy (``model.CATEGORIES``); what they mean to a reader is data,
kept beside the packs in ``categories.yml`` (``rules/`` in a checkout, ``skjult/packs/`` in the
wheel), so a wording is changed without touching code. A category that has no entry (say, one a
future pack adds before the file catches up) is shown by its id.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from skjult.errors import RuleError
from skjult.i18n import LANGS

FILE = "categories.yml"
FIELDS = ("title", "description")


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    titles: dict[str, str]  # lang -> title
    descriptions: dict[str, str]  # lang -> one sentence

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.id

    def description(self, lang: str) -> str:
        return self.descriptions.get(lang, "")


def path() -> Path:
    from skjult.rules.pack import builtin_root

    return builtin_root() / FILE


@functools.cache
def load(file: Path | None = None) -> dict[str, Category]:
    """Every category in the file, in its order; errors name the file and line."""
    from skjult.rules.yamlsource import load as load_yaml

    file = file or path()
    doc = load_yaml(file)
    if not isinstance(doc.data, dict):
        raise RuleError(doc.file, doc.line(), "expected a mapping of category ids")
    out = {}
    for cid, entry in doc.data.items():
        if not isinstance(entry, dict) or set(entry) != set(FIELDS):
            raise RuleError(doc.file, doc.line(cid), f"category {cid!r}: give exactly "
                            f"{' and '.join(FIELDS)}")
        texts: dict[str, dict[str, str]] = {}
        for name in FIELDS:
            value = entry[name]
            if not isinstance(value, dict) or set(value) != set(LANGS) or not all(
                    isinstance(v, str) and v.strip() for v in value.values()):
                raise RuleError(doc.file, doc.line(cid, name), f"category {cid!r}: {name} needs "
                                f"a text in each of {', '.join(LANGS)} and nothing else")
            texts[name] = {lang: " ".join(value[lang].split()) for lang in LANGS}
        out[str(cid)] = Category(str(cid), texts["title"], texts["description"])
    return out


def title(category: str, lang: str) -> str:
    """``label-missing`` → ``Mangler reklamemarkering``; an unknown id stays itself."""
    found = load().get(category)
    return found.title(lang) if found else category


def description(category: str, lang: str) -> str:
    found = load().get(category)
    return found.description(lang) if found else ""
