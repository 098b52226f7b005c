"""Caption drafts: a ``.txt`` or ``.md`` file holding one caption, with optional YAML front matter
(``creator``, ``platform``, ``brand``, ``paid_partnership``, ``audience``, ``jurisdiction``).

A draft that declares a paid partnership or names a brand is commercial by definition. The
caption's place in the file is kept (``Post.offset``) so that findings point into the file."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from skjult.model import AUDIENCES, Notice, Opened, Post, Skip
from skjult.readers.base import InputError, Item, ReadOptions, RecordError
from skjult.readers.document import Document
from skjult.readers.generic import finish
from skjult.readers.limits import MAX_DRAFT_CHARS
from skjult.readers.records import parse_bool

NAME = "draft"
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
KEYS = {"creator", "platform", "brand", "paid_partnership", "audience", "jurisdiction", "id",
        "url", "created_at"}


@functools.cache
def _loader() -> type:
    """YAML's safe loader without aliases: front matter is a handful of keys, and an alias is
    how a few hundred bytes expand to gigabytes ("billion laughs")."""
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in "
                                                  "front matter",
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
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        raise RecordError(f"front matter is not valid YAML{where}"
                          + (f": {problem}" if problem else "")) from None
    if not isinstance(data, dict):
        raise RecordError("front matter must be key: value pairs")
    unknown = sorted(set(map(str, data)) - KEYS)
    if unknown:
        raise RecordError(f"unknown front matter key {unknown[0]!r}; use {', '.join(sorted(KEYS))}")
    return data, match.end()


def draft_post(text: str, name: str) -> Post:
    data, start = split(text)
    caption = text[start:].rstrip("\r\n")
    if not caption.strip():
        raise RecordError("the draft has no caption below its front matter")
    meta: dict[str, Any] = {}
    if "paid_partnership" in data:
        meta["paid_partnership"] = parse_bool(data["paid_partnership"], "paid_partnership")
    if data.get("brand"):
        meta["brand"] = str(data["brand"])
        meta["paid_partnership"] = True  # a draft written for a brand is commercial
    if data.get("audience"):
        audience = str(data["audience"]).lower()
        if audience not in AUDIENCES:
            raise RecordError(f"audience must be minors or adults, not {audience!r}")
        meta["audience"] = audience
    if data.get("jurisdiction"):
        meta["jurisdiction"] = str(data["jurisdiction"]).lower()
    return Post(text=caption, id=str(data.get("id") or PurePosixPath(name).name),
                creator=str(data["creator"]) if data.get("creator") else None,
                platform=str(data["platform"]).lower() if data.get("platform") else None,
                created_at=str(data["created_at"]) if data.get("created_at") else None,
                url=str(data["url"]) if data.get("url") else None, meta=meta,
                offset=(start, text.count("\n", 0, start)), verbatim=True)


def read_draft(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield Opened(doc.name, NAME)
    text = doc.whole("a caption draft", MAX_DRAFT_CHARS)
    if not text.strip():
        raise InputError(doc.name, "empty draft: expected a caption")
    try:
        post = finish(draft_post(text, doc.name), doc.name, "line 1", options)
    except RecordError as exc:
        yield Skip(doc.name, "line 1", str(exc))
        return
    wanted = options.defaults.get("jurisdiction")
    declared = post.meta.get("jurisdiction")
    if wanted and declared and declared != wanted:
        yield Notice(doc.name, f"front matter says jurisdiction {declared}; checked with "
                     f"{wanted} (use --jurisdiction {declared})")
    yield post
