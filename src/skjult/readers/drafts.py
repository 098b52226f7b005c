"""Caption drafts: a ``.txt`` or ``.md`` file holding one caption, with optional YAML front matter
(``creator``, ``platform``, ``brand``, ``paid_partnership``, ``audience``, ``jurisdiction``, and
``skjult: {ignore: [rule ids], reason: "..."}`` to accept findings on purpose, like ``# noqa``).

A draft that declares a paid partnership or names a brand is commercial by definition. The
caption's place in the file is kept (``Post.offset``) so that findings point into the file.

A ``skjult:`` entry that cannot be used (no reason, a rule id that names no rule) makes the draft
unreadable, with its file and line: a suppression must never be silently ignored."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from skjult.config import Suppression, matches, post_key
from skjult.errors import did_you_mean
from skjult.i18n import Text
from skjult.items import Notice, Opened, Skip
from skjult.model import AUDIENCES, CATEGORIES, Post, PostMeta
from skjult.readers.base import Item, ReadOptions
from skjult.readers.document import Document
from skjult.readers.errors import InputError, RecordError
from skjult.readers.format import InputFormat
from skjult.readers.generic import finish
from skjult.readers.limits import MAX_DRAFT_CHARS
from skjult.readers.records import parse_bool

NAME = "draft"
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
KEYS = {"creator", "platform", "brand", "paid_partnership", "audience", "jurisdiction", "id",
        "url", "created_at", "skjult"}
SUPPRESS_KEYS = ("ignore", "reason", "expires")  # under ``skjult:``
# Front matter keys the engine names as the source of evidence ("the draft names @x as advertiser").
DECLARING = ("brand", "paid_partnership")


@functools.cache
def _loader() -> type:
    """YAML's safe loader without aliases: front matter is a handful of keys, and an alias is
    how a few hundred bytes expand to gigabytes ("billion laughs")."""
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, Text("aliases (*name) are not "
                                                       "allowed in front matter"),
                                                  self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)

    return FrontMatterLoader


def split(text: str) -> tuple[dict[str, Any], int]:
    """The front matter (``{}`` if none) and where the caption starts."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    import yaml  # drafts with front matter are the only YAML a run may read

    try:
        data = yaml.load(match.group(1), Loader=_loader()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        invalid = Text("front matter is not valid YAML") if mark is None else \
            Text("front matter is not valid YAML (line {line})", line=mark.line + 2)
        problem = getattr(exc, "problem", None)
        raise RecordError(Text("{message}: {problem}", message=invalid, problem=problem)
                          if problem else invalid) from None
    except ValueError as exc:  # a date no calendar has: "expires: 2026-02-30"
        raise RecordError(Text("front matter is not valid YAML: {problem}",
                               problem=str(exc))) from None
    if not isinstance(data, dict):
        raise RecordError(Text("front matter must be key: value pairs"))
    unknown = sorted(set(map(str, data)) - KEYS)
    if unknown:
        raise RecordError(Text("unknown front matter key {key:q}; use {keys}", key=unknown[0],
                               keys=", ".join(sorted(KEYS))))
    return data, match.end()


def draft_post(text: str, name: str) -> Post:
    data, start = split(text)
    caption = text[start:].rstrip("\r\n")
    if not caption.strip():
        raise RecordError(Text("the draft has no caption below its front matter"))
    meta: dict[str, Any] = {}
    if "paid_partnership" in data:
        meta["paid_partnership"] = parse_bool(data["paid_partnership"], "paid_partnership")
    if data.get("brand"):
        meta["brand"] = str(data["brand"])
        meta["paid_partnership"] = True  # a draft written for a brand is commercial
    if data.get("audience"):
        audience = str(data["audience"]).lower()
        if audience not in AUDIENCES:
            raise RecordError(Text("audience must be minors or adults, not {value:q}",
                                   value=audience))
        meta["audience"] = audience
    if data.get("jurisdiction"):
        meta["jurisdiction"] = str(data["jurisdiction"]).lower()
    post_id = str(data.get("id") or PurePosixPath(name).name)
    return Post(text=caption, id=post_id,
                creator=str(data["creator"]) if data.get("creator") else None,
                platform=str(data["platform"]).lower() if data.get("platform") else None,
                created_at=str(data["created_at"]) if data.get("created_at") else None,
                url=str(data["url"]) if data.get("url") else None, meta=PostMeta.of(meta),
                offset=(start, text.count("\n", 0, start)), verbatim=True,
                declared=tuple(k for k in DECLARING if data.get(k) is not None),
                suppress=_suppressions(text, data["skjult"], name, post_id)
                if "skjult" in data else ())


def _front_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """The line in the file of each key and list item under ``skjult:`` in the front matter."""
    import yaml

    match = FRONT_MATTER.match(text)
    lines: dict[tuple[str | int, ...], int] = {}
    if not match:
        return lines
    root = yaml.compose(match.group(1), Loader=_loader())
    first = text.count("\n", 0, match.start(1)) + 1  # the file line the front matter starts on
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value != "skjult":
            continue
        lines[("skjult",)] = key.start_mark.line + first
        for sub_key, sub_value in value.value if isinstance(value, yaml.MappingNode) else ():
            lines[("skjult", str(sub_key.value))] = sub_key.start_mark.line + first
            if isinstance(sub_value, yaml.SequenceNode):
                for i, item in enumerate(sub_value.value):
                    lines[("skjult", str(sub_key.value), i)] = item.start_mark.line + first
    return lines


def _suppressions(text: str, raw: Any, name: str, post_id: str) -> tuple[Suppression, ...]:
    """``skjult: {ignore: [...], reason: "...", expires: YYYY-MM-DD}``: suppressions for this
    draft alone. A problem is an ``InputError`` naming the file and line."""
    lines = _front_lines(text)

    def fail(path: tuple[str | int, ...], message: Text) -> InputError:
        line = next((lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in lines), 1)
        return InputError(name, Text("line {line}: {message}", line=line, message=message))

    if not isinstance(raw, dict):
        raise fail(("skjult",), Text("skjult must be a mapping, e.g. skjult: "
                                     "{{ignore: [dk.label-weak], reason: \"...\"}}"))
    for key in raw:
        if key not in SUPPRESS_KEYS:
            hint = did_you_mean(str(key), SUPPRESS_KEYS)
            raise fail(("skjult", str(key)), Text("unknown key {key:q} under skjult; use {keys}",
                                                  key=str(key), keys=", ".join(SUPPRESS_KEYS))
                       if hint is None else
                       Text("unknown key {key:q} under skjult ({hint})", key=str(key), hint=hint))
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise fail(("skjult", "reason"), Text("skjult needs a reason: who decided, and why these "
                                              "findings are accepted"))
    rules = raw.get("ignore")
    if isinstance(rules, str):
        rules = [rules]
    if (not isinstance(rules, list) or not rules
            or not all(isinstance(r, str) and r.strip() for r in rules)):
        raise fail(("skjult", "ignore"), Text("skjult.ignore must list the rules it accepts "
                                              "(ids, categories or globs)"))
    expires = raw.get("expires")
    if isinstance(expires, str):
        with contextlib.suppress(ValueError):  # not a date: refused below
            expires = dt.date.fromisoformat(expires)
    if expires is not None and (not isinstance(expires, dt.date)
                                or isinstance(expires, dt.datetime)):
        raise fail(("skjult", "expires"), Text("skjult.expires must be a date, e.g. "
                                               "expires: 2026-12-31"))
    return tuple(Suppression(rule=rule.strip(), reason=reason.strip(), post=post_key(post_id),
                             expires=expires, file=name,
                             line=lines.get(("skjult", "ignore", i)) or lines.get(("skjult", "ignore")))
                 for i, rule in enumerate(rules))


def check_suppressed_rules(post: Post, name: str, known: Mapping[str, str] | None) -> None:
    """Each rule a draft suppresses must name a rule (by id, category or glob) of the run
    (``known``: id -> category) or of another built-in pack; else an ``InputError`` with the
    line and the nearest id."""
    for s in post.suppress:
        if _names_a_rule(s.rule, known if known is not None else _builtin_rules()):
            continue
        if known is not None and _names_a_rule(s.rule, _builtin_rules()):
            continue  # another jurisdiction's rule: a draft may be checked under several
        ids = sorted(known if known is not None else _builtin_rules())
        hint = did_you_mean(s.rule, ids) or did_you_mean(s.rule, CATEGORIES)
        message = Text("skjult.ignore: {rule:q} names no rule", rule=s.rule) if hint is None \
            else Text("skjult.ignore: {rule:q} names no rule ({hint})", rule=s.rule, hint=hint)
        raise InputError(name, Text("line {line}: {message}", line=s.line or 1, message=message))


def _names_a_rule(selector: str, known: Mapping[str, str]) -> bool:
    return any(matches(selector, rid, category) for rid, category in known.items())


@functools.cache
def _builtin_rules() -> dict[str, str]:
    """Every rule of every built-in pack (id -> category), loaded only when needed."""
    from skjult.rules.pack import available_packs, builtin_pack

    return {r.id: r.category for name in available_packs() for r in builtin_pack(name).rules}


def read_draft(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield Opened(doc.name, NAME)
    text = doc.whole(Text("a caption draft"), MAX_DRAFT_CHARS)
    if not text.strip():
        raise InputError(doc.name, Text("empty draft: expected a caption"))
    first = Text("line {number}", number=1)
    try:
        post = draft_post(text, doc.name)
        # the post's position is the line its caption starts on, below any front matter
        post = finish(post, doc.name, Text("line {number}", number=post.offset[1] + 1), options)
    except RecordError as exc:
        yield Skip(doc.name, first, str(exc))
        return
    check_suppressed_rules(post, doc.name, options.rules)
    wanted = options.defaults.get("jurisdiction")
    declared = post.meta.get("jurisdiction")
    if wanted and declared and declared != wanted:
        yield Notice(doc.name, Text("front matter says jurisdiction {declared}; checked with "
                                    "{wanted} (use --jurisdiction {declared})",
                                    declared=declared, wanted=wanted))
    yield post


FORMAT = InputFormat(
    name=NAME,
    title=Text("a caption draft: one caption per file, optional YAML front matter "
               "(creator, platform, brand, paid_partnership, audience)"),
    hand_in=Text("a .txt or .md file"),
    read_file=read_draft,
    # a draft is plain text, so its extension is all there is to recognise it by
    suffixes=(".txt", ".md"),
    # a project's own notes lie beside its drafts in a folder; they are not captions
    not_members=re.compile(r"(?:.*/)?(?:readme|license|licence|changelog|contributing)[^/]*",
                           re.IGNORECASE),
)
