"""How a run was made: when, on what, with which pack, configuration and settings.

Every report states it (text footer, JSON ``run``, HTML header, SARIF run properties, CSV per
creator), so that a report forwarded months later still says what it can be trusted for. The
settings carry their origin — the command line, a configuration file and line, or the default —
which is also what ``skjult check --show-settings`` prints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skjult.rules.ruleset import RuleSet

COMMAND_LINE = "command line"
DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Setting:
    """One resolved setting and where its value came from."""

    name: str
    value: Any
    origin: str  # COMMAND_LINE, DEFAULT, or "file:line" of a configuration

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": _plain(self.value), "origin": self.origin}


@dataclass(frozen=True, slots=True)
class PackInfo:
    """A rule pack in force: its name, edition and a fingerprint of its files."""

    name: str
    title: str
    version: str
    digest: str  # first 12 hex digits of SHA-256 over the pack's files, in a stable order

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "version": self.version,
                "digest": self.digest}

    def __str__(self) -> str:
        return f"{self.name} {self.version or '(no version)'} ({self.digest})"


@dataclass(frozen=True)
class RunInfo:
    date: str  # when the run started, ISO 8601 in UTC to the second
    version: str  # skjult's own version
    inputs: tuple[str, ...]
    jurisdiction: str
    lang: str
    packs: tuple[PackInfo, ...]
    config: str | None  # the configuration file used, or None
    rules_active: int
    rules_ignored: int  # loaded but switched off by select/ignore
    suppressions: int  # suppressions configured (how many applied is in the totals)
    fail_level: str = "error"
    settings: tuple[Setting, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "version": self.version, "inputs": list(self.inputs),
                "jurisdiction": self.jurisdiction, "lang": self.lang,
                "packs": [p.to_dict() for p in self.packs], "config": self.config,
                "rules": {"active": self.rules_active, "ignored": self.rules_ignored},
                "suppressions": self.suppressions, "fail_level": self.fail_level,
                "settings": [s.to_dict() for s in self.settings]}

    @property
    def pack_line(self) -> str:
        """The packs in force on one line: ``dk 2026.11.1 (3f2a9c0d1e2b)``."""
        return ", ".join(str(p) for p in self.packs)


def describe_run(ruleset: RuleSet, lang: str, inputs: Iterable[str], fail_level: str = "error",
                 settings: Iterable[Setting] = ()) -> RunInfo:
    """How a run with ``ruleset`` over ``inputs``, reported in ``lang``, is made, for a
    report's header."""
    from skjult._version import __version__
    from skjult.rules.pack import pack_folders

    return RunInfo(
        date=now(), version=__version__,
        inputs=tuple("(standard input)" if p == "-" else str(p) for p in inputs),
        jurisdiction=ruleset.pack.name, lang=lang,
        packs=tuple(PackInfo(p.name, p.title, p.version, pack_digest(pack_folders(p)))
                    for p in ruleset.packs),  # the jurisdiction's, then those added
        config=ruleset.config.file, rules_active=len(ruleset.rules),
        rules_ignored=ruleset.ignored, suppressions=len(ruleset.suppressions),
        fail_level=fail_level, settings=tuple(settings))


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def pack_digest(folders: Iterable[Path]) -> str:
    """A fingerprint of a pack's files, so two reports made with edited rules differ."""
    digest = hashlib.sha256()
    for folder in sorted({f.resolve() for f in folders}):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in
                           (".yml", ".yaml")):
            digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"(unreadable)")
            digest.update(b"\0")
    return digest.hexdigest()[:12]


def settings_text(settings: Sequence[Setting]) -> str:
    """``--show-settings``: one setting a line, aligned, with its origin."""
    width = max((len(s.name) for s in settings), default=0)
    lines = [f"{s.name:<{width}} = {_shown(s.value)}    # {s.origin}" for s in settings]
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def _plain(value: Any) -> Any:
    """A value as JSON has it: tuples and sets as lists, paths and enums as text."""
    if isinstance(value, (tuple, list, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
