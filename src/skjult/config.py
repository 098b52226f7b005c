"""A user's settings: ``skjult.toml`` or ``[tool.skjult]`` in ``pyproject.toml``.

Found by walking up from the first checked path (the working directory for stdin), or named with
``--config``. Everything a compliance team tunes without Python lives here: which rules run and
how severe they are, extra packs, fold lengths, the brands that count as advertisers, the posts
known to be paid (campaign manifest), creators' audiences, and suppressions with a reason.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from skjult.caption import Fold
from skjult.errors import RuleError, did_you_mean
from skjult.i18n import LANGS
from skjult.model import AUDIENCES, CATEGORIES, Severity

CONFIG_NAME = "skjult.toml"
TOP_KEYS = {"jurisdiction", "lang", "fail_level", "select", "ignore", "severity", "packs",
            "folds", "brands", "campaign", "creators", "suppress"}
BRAND_KEYS = {"names", "strength"}
CAMPAIGN_KEYS = {"posts", "files"}
MAX_CAMPAIGN_BYTES = 256 * 1024 * 1024  # a million URLs fit many times over
CREATOR_KEYS = {"audience"}
SUPPRESS_KEYS = {"rule", "creator", "post", "reason", "expires"}
BRAND_STRENGTHS = ("weak", "strong", "hard")


class ConfigError(RuleError):
    """A setting that cannot be used: names the file, the line and what to do."""


@dataclass(frozen=True)
class Suppression:
    """Findings of ``rule`` (id, category or glob) on a creator's or one post's captions are
    accepted on purpose, for ``reason``, until ``expires`` (inclusive)."""

    rule: str
    reason: str
    creator: str | None = None
    post: str | None = None
    expires: dt.date | None = None
    file: str = ""
    line: int | None = None

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def describe(self) -> str:
        whom = [f"creator {self.creator}" if self.creator else "", f"post {self.post}" if self.post else ""]
        return f"{self.rule} for {' and '.join(w for w in whom if w)}"

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass(frozen=True)
class Config:
    """Settings with their defaults; ``Config()`` is a run without a configuration file."""

    file: str | None = None
    jurisdiction: str | None = None
    lang: str | None = None
    fail_level: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    packs: tuple[Path, ...] = ()
    folds: dict[str, Fold] = field(default_factory=dict)
    brands: tuple[str, ...] = ()
    brand_strength: str = "strong"
    campaign: frozenset[str] = frozenset()
    audiences: dict[str, str] = field(default_factory=dict)
    suppressions: tuple[Suppression, ...] = ()
    # where each top-level setting was written ("file:line"), for --show-settings and reports
    origins: dict[str, str] = field(default_factory=dict)
    # line of each select/ignore/severity selector, to point at one that matches no rule
    selector_lines: dict[tuple[str, str], int | None] = field(default_factory=dict)

    def origin(self, key: str) -> str | None:
        """Where setting ``key`` was written, or None when the file does not set it."""
        return self.origins.get(key)


def matches(pattern: str, rule_id: str, category: str) -> bool:
    """A selector names a rule by id, by category, or by a glob over ids (``dk.label-*``)."""
    return pattern in (rule_id, category) or fnmatch.fnmatchcase(rule_id, pattern)


def post_key(value: str) -> str:
    """Post ids and URLs compared the way people paste them: no scheme, query, or final slash."""
    value = value.strip()
    if regex.match(r"(?i)^(?:https?://|www\.)", value):
        value = regex.sub(r"(?i)^https?://", "", value)
        value = regex.sub(r"(?i)^www\.", "", value)
        value = value.split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()
    return value


class _Lines:
    """Best-effort line numbers for TOML keys (tomllib keeps none)."""

    def __init__(self, text: str, table: str | None):
        self.lines = text.splitlines()
        self.table = table

    def of(self, *path: str | int) -> int | None:
        names = [p for p in path if isinstance(p, str)]
        index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
        for key in reversed(names):
            key_re = regex.compile(rf"^\s*(?:\[\[?[^\]]*\b{regex.escape(key)}\b[^\]]*\]\]?|"
                                   rf"[\"']?{regex.escape(key)}[\"']?\s*=)")
            hits = [n for n, line in enumerate(self.lines, start=1) if key_re.match(line)]
            if hits:
                return hits[min(index, len(hits) - 1)] if index is not None else hits[0]
        return None


    def value_line(self, key: str, value: str) -> int | None:
        """The line of the string ``value`` in the list ``key`` (which may span lines)."""
        start = self.of(key)
        if start is None:
            return None
        quoted = regex.compile(rf"[\"']{regex.escape(value)}[\"']")
        for n in range(start, len(self.lines) + 1):
            if quoted.search(self.lines[n - 1]):
                return n
        return start


def find_config(start: Path) -> Path | None:
    """The nearest ``skjult.toml`` or ``pyproject.toml`` with ``[tool.skjult]`` at or above
    ``start``; ``skjult.toml`` wins within one folder."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        own = candidate / CONFIG_NAME
        if own.is_file():
            return own
        project = candidate / "pyproject.toml"
        if project.is_file() and _has_tool_table(project):
            return project
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "skjult" in data["tool"]


def load_config(path: Path, packs: Iterable[str] | None = None) -> Config:
    """Read and validate one configuration file; problems are ``ConfigError``s.

    ``packs`` are the jurisdictions that exist (``skjult.rules.pack.available_packs()``): a
    ``jurisdiction`` outside them is an error at its line. Without them any name is taken,
    and an unknown one fails when the rule set is built."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(file, None, f"cannot read configuration: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = regex.search(r"at line (\d+)", str(exc))
        line = int(at.group(1)) if at else None
        raise ConfigError(file, line, f"invalid TOML: {str(exc).split(' (at line')[0]}") from None
    table = None
    if path.name == "pyproject.toml":
        table = "tool.skjult"
        data = data.get("tool", {}).get("skjult")
        if not isinstance(data, dict):
            raise ConfigError(file, None, "pyproject.toml has no [tool.skjult] table")
    return _parse(data, _Reader(file, _Lines(text, table), path.parent,
                                None if packs is None else tuple(packs)))


@dataclass
class _Reader:
    file: str
    lines: _Lines
    base: Path
    packs: tuple[str, ...] | None  # the jurisdictions there are, when the caller knows them

    def fail(self, path: tuple[str | int, ...], message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(self.file, self.lines.of(*path), message, hint)

    def keys(self, path: tuple[str | int, ...], table: dict[str, Any], allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                where = ".".join(str(p) for p in (*path, key))
                raise self.fail((*path, key), f"unknown setting {where!r}",
                                did_you_mean(key, allowed) or f"one of {', '.join(sorted(allowed))}")

    def text(self, path: tuple[str | int, ...], value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"{path[-1]} must be a non-empty string")
        return value.strip()

    def texts(self, path: tuple[str | int, ...], value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(path, f"{path[-1]} must be a list of strings")
        return tuple(self.text(path, v) for v in value)

    def choice(self, path: tuple[str | int, ...], value: Any, allowed: Iterable[str]) -> str:
        options = tuple(allowed)
        if value not in options:
            raise self.fail(path, f"{path[-1]}: {value!r} is not one of {', '.join(options)}",
                            did_you_mean(str(value), options))
        return str(value)


def _parse(data: dict[str, Any], r: _Reader) -> Config:
    r.keys((), data, TOP_KEYS)
    severity = {}
    raw_severity = data.get("severity", {})
    if not isinstance(raw_severity, dict):
        raise r.fail(("severity",), "severity must map rule ids, categories or globs to "
                     "error, warning or info")
    for selector, level in raw_severity.items():
        severity[selector] = Severity(r.choice(("severity", selector), level,
                                               [str(s) for s in Severity]))
    for key in ("select", "ignore"):
        for selector in r.texts((key,), data.get(key, [])):
            _check_selector(r, key, selector)
    return Config(
        file=r.file,
        jurisdiction=_jurisdiction(r, data["jurisdiction"]) if "jurisdiction" in data else None,
        lang=r.choice(("lang",), data["lang"], LANGS) if "lang" in data else None,
        fail_level=r.choice(("fail_level",), data["fail_level"], ("error", "warning", "info", "never"))
        if "fail_level" in data else None,
        select=r.texts(("select",), data.get("select", [])),
        ignore=r.texts(("ignore",), data.get("ignore", [])),
        severity=severity,
        packs=tuple(_path(r, p) for p in r.texts(("packs",), data.get("packs", []))),
        folds=_folds(r, data.get("folds", {})),
        **_brands(r, data.get("brands")),
        campaign=_campaign(r, data.get("campaign")),
        audiences=_creators(r, data.get("creators", {})),
        suppressions=_suppressions(r, data.get("suppress", [])),
        origins={key: _where(r, (key,)) for key in data},
        selector_lines={
            **{(key, s): r.lines.value_line(key, s) for key in ("select", "ignore")
               for s in r.texts((key,), data.get(key, []))},
            **{("severity", s): r.lines.of("severity", s) for s in severity}},
    )


def _where(r: _Reader, path: tuple[str, ...]) -> str:
    line = r.lines.of(*path)
    return f"{r.file}:{line}" if line else r.file


def _jurisdiction(r: _Reader, value: Any) -> str:
    name = r.text(("jurisdiction",), value)
    return name if r.packs is None else r.choice(("jurisdiction",), name, r.packs)


def _check_selector(r: _Reader, key: str, selector: str) -> None:
    if selector in CATEGORIES or "." in selector or any(c in selector for c in "*?["):
        return
    raise r.fail((key,), f"{key}: {selector!r} is neither a rule id (pack.name), a category nor "
                 "a glob", did_you_mean(selector, CATEGORIES))


def _inside(r: _Reader, key: tuple[str, ...], value: str) -> Path:
    """A path named in the configuration, which must lie in the configuration's folder or below
    it: a configuration found by searching upwards must not reach elsewhere (packs from another
    user's folder, a "campaign file" that is ~/.ssh/id_rsa). Paths from outside are given on the
    command line (``--rules``)."""
    base = r.base.resolve()
    path = (base / value).resolve()
    if not path.is_relative_to(base):
        raise r.fail(key, f"{value}: outside the configuration's folder {base}; give it on the "
                     "command line (--rules) or move it inside")
    return path


def _path(r: _Reader, value: str) -> Path:
    path = _inside(r, ("packs",), value)
    if not path.exists():
        raise r.fail(("packs",), f"{value}: no such folder (relative to {r.base})")
    return path


def _folds(r: _Reader, raw: Any) -> dict[str, Fold]:
    if not isinstance(raw, dict):
        raise r.fail(("folds",), "folds maps platforms to a number of characters or "
                     "{chars = N, lines = N}")
    out = {}
    for platform, spec in raw.items():
        if isinstance(spec, int) and not isinstance(spec, bool) and spec > 0:
            out[platform.lower()] = Fold(spec)
            continue
        if isinstance(spec, dict):
            r.keys(("folds", platform), spec, {"chars", "lines"})
            chars, lines = spec.get("chars"), spec.get("lines")
            if isinstance(chars, int) and chars > 0 and (lines is None or isinstance(lines, int)):
                out[platform.lower()] = Fold(chars, lines)
                continue
        raise r.fail(("folds", platform), f"folds.{platform} must be a positive number of "
                     "characters or {chars = N, lines = N}")
    return out


def _list_or_table(r: _Reader, key: str, raw: Any, list_key: str, allowed: set[str],
                   shape: str) -> dict[str, Any]:
    """Settings that are a plain list, or a table with that list under ``list_key``."""
    if isinstance(raw, list):
        raw = {list_key: raw}
    if not isinstance(raw, dict):
        raise r.fail((key,), f"{key} is {shape}")
    r.keys((key,), raw, allowed)
    return raw


def _brands(r: _Reader, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    raw = _list_or_table(r, "brands", raw, "names", BRAND_KEYS, "a list of names and @handles, "
                         "or a table with names = [...] and strength")
    names = r.texts(("brands", "names"), raw.get("names", []))
    strength = r.choice(("brands", "strength"), raw.get("strength", "strong"), BRAND_STRENGTHS)
    return {"brands": names, "brand_strength": strength}


def _campaign(r: _Reader, raw: Any) -> frozenset[str]:
    if raw is None:
        return frozenset()
    raw = _list_or_table(r, "campaign", raw, "posts", CAMPAIGN_KEYS, "a list of post ids and "
                         "URLs, or a table with posts = [...] and files = [...]")
    keys = {post_key(p) for p in r.texts(("campaign", "posts"), raw.get("posts", []))}
    for name in r.texts(("campaign", "files"), raw.get("files", [])):
        path = _inside(r, ("campaign", "files"), name)
        try:
            if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would wait for ever
                raise r.fail(("campaign", "files"), f"campaign file {name}: not a regular file")
            if path.stat().st_size > MAX_CAMPAIGN_BYTES:
                raise r.fail(("campaign", "files"), f"campaign file {name}: larger than "
                             f"{MAX_CAMPAIGN_BYTES:,} bytes; one post id or URL per line")
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise r.fail(("campaign", "files"), f"campaign file {name}: cannot read: {exc}") from None
        # One post id or URL per line; blank lines and # comments are ignored.
        keys.update(post_key(line) for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return frozenset(keys)


def _creators(r: _Reader, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise r.fail(("creators",), "creators maps creator names to {audience = \"minors\"}")
    out = {}
    for creator, spec in raw.items():
        if not isinstance(spec, dict):
            raise r.fail(("creators", creator), f"creators.{creator} must be a table, e.g. "
                         "{audience = \"minors\"}")
        r.keys(("creators", creator), spec, CREATOR_KEYS)
        if "audience" in spec:
            out[creator] = r.choice(("creators", creator, "audience"), spec["audience"], AUDIENCES)
    return out


def _suppressions(r: _Reader, raw: Any) -> tuple[Suppression, ...]:
    if not isinstance(raw, list):
        raise r.fail(("suppress",), "write each suppression as a [[suppress]] table")
    out = []
    for i, spec in enumerate(raw):
        path: tuple[str | int, ...] = ("suppress", i)
        if not isinstance(spec, dict):
            raise r.fail(path, "write each suppression as a [[suppress]] table")
        r.keys(path, spec, SUPPRESS_KEYS)
        if "reason" not in spec:
            raise r.fail(path, "a suppression needs a reason (who decided, and why)")
        if "rule" not in spec:
            raise r.fail(path, "a suppression needs the rule it silences (id, category or glob)")
        if "creator" not in spec and "post" not in spec:
            raise r.fail(path, "a suppression needs a creator, a post (id or URL), or both")
        expires = spec.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise r.fail(path, f"expires: {expires!r} is not a date (YYYY-MM-DD)") from None
        if expires is not None and not (isinstance(expires, dt.date)
                                        and not isinstance(expires, dt.datetime)):
            raise r.fail(path, "expires must be a date, e.g. expires = 2026-12-31")
        rule = r.text((*path, "rule"), spec["rule"])
        _check_selector(r, "rule", rule)
        out.append(Suppression(
            rule=rule,
            reason=r.text((*path, "reason"), spec["reason"]),
            creator=r.text((*path, "creator"), spec["creator"]) if "creator" in spec else None,
            post=post_key(r.text((*path, "post"), spec["post"])) if "post" in spec else None,
            expires=expires,
            file=r.file,
            line=r.lines.of("suppress", i),
        ))
    return tuple(out)


def check_selectors(config: Config, rules: Iterable[Any], other_packs: Iterable[str]) -> None:
    """Every select/ignore/severity selector (and suppression's rule) must name some rule of the
    run, as ruff refuses an unknown code: a typo (``dk.label-mising``) would otherwise switch
    nothing off or on and the run would look fine. Categories are always accepted, and so are
    selectors for another jurisdiction's pack (``uk.*`` in a configuration shared between dk and
    uk runs)."""
    loaded = list(rules)
    ids = [rule.id for rule in loaded]
    loaded_packs = {rule.id.split(".", 1)[0] for rule in loaded}
    elsewhere = set(other_packs) - loaded_packs
    chosen = [*(("select", x, None) for x in config.select),
              *(("ignore", x, None) for x in config.ignore),
              *(("severity", x, None) for x in config.severity),
              *(("suppress.rule", x.rule, x.line) for x in config.suppressions)]
    for key, selector, at in chosen:
        line = at or config.selector_lines.get((key, selector))
        if selector in CATEGORIES or selector.split(".", 1)[0] in elsewhere:
            continue
        if any(matches(selector, rule.id, rule.category) for rule in loaded):
            continue
        hint = did_you_mean(selector, [*ids, *_globs(ids)] if any(c in selector for c in "*?[")
                            else ids) or did_you_mean(selector, CATEGORIES)
        raise ConfigError(config.file or "configuration", line,
                          f"{key}: {selector!r} matches no rule of this run", hint)


def _globs(ids: Iterable[str]) -> set[str]:
    """``dk.label-*``, ``dk.*``: the globs a person would write for these ids."""
    out = set()
    for rule_id in ids:
        for at, char in enumerate(rule_id):
            if char in ".-":
                out.add(rule_id[: at + 1] + "*")
                out.add(rule_id[:at] + "*")
    return out
