"""instaloader's download folders: per post ``YYYY-MM-DD_HH-MM-SS_UTC.txt`` (the caption) and
``YYYY-MM-DD_HH-MM-SS_UTC.json.xz`` (LZMA JSON, or ``.json`` with ``--no-compress-json``).

When a post has metadata JSON it is read (caption, owner, shortcode, sponsor); otherwise the
``.txt`` caption is read and the folder's name (instaloader's default ``{target}``) is the
creator. Old edits (``*_old_01.txt``) and the profile's own JSON are not posts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from skjult.i18n import Text
from skjult.items import Opened, Skip
from skjult.model import Post
from skjult.readers.base import Item, ReadOptions, apply_flags, caption_of, dig, from_unix, guarded, stable_id
from skjult.readers.document import Document
from skjult.readers.errors import RecordError
from skjult.readers.format import InputFormat, JsonSignature, Marker, keys
from skjult.readers.generic import convert_record, read_json
from skjult.readers.limits import MAX_DRAFT_CHARS
from skjult.readers.tree import Member, Tree

NAME = "instaloader"
STEM = r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_UTC"
POST_FILE = rf"(?:.*/)?{STEM}\.(?:txt|json|json\.xz)"
_STEM_RE = re.compile(rf"^(?P<folder>(?:.*/)?)(?P<stem>{STEM})\.(?P<ext>txt|json|json\.xz)$")


def convert(record: Any, options: ReadOptions, folder_user: str | None) -> Post:
    if not isinstance(record, dict) or not isinstance(record.get("node"), dict):
        raise RecordError(Text("expected instaloader's {node} metadata", node='{"node": ...}'))
    node = record["node"]
    caption = dig(node, "edge_media_to_caption", "edges", 0, "node", "text")
    if caption is None:
        caption = node.get("caption") if isinstance(node.get("caption"), str) else \
            dig(node, "iphone_struct", "caption", "text")
    user = dig(node, "owner", "username") or dig(node, "iphone_struct", "user", "username") \
        or folder_user
    shortcode = node.get("shortcode") or node.get("code")
    timestamp = node.get("taken_at_timestamp") or node.get("date")
    post = Post(text=caption_of(caption), id=str(node.get("id") or "") or
                stable_id("il", timestamp, shortcode), creator=user, platform="instagram",
                created_at=from_unix(timestamp),
                url=f"https://www.instagram.com/p/{shortcode}/" if shortcode else None)
    sponsors = [dig(e, "node", "sponsor", "username")
                for e in dig(node, "edge_media_to_sponsor_user", "edges") or []]
    sponsors = [s for s in sponsors if s]
    flags = {"is_paid_partnership": node.get("is_paid_partnership"), "sponsors": sponsors,
             "is_ad": node.get("is_ad")}
    return apply_flags(post, flags, paid=("is_paid_partnership", "sponsors"),
                       sponsor=sponsors[0] if sponsors else None)


def _caption_post(text: str, stem: str, user: str | None) -> Post:
    timestamp = stem.replace("_UTC", "")
    day, _, clock = timestamp.partition("_")
    created = f"{day}T{clock.replace('-', ':')}Z"
    return Post(text=caption_of(text.rstrip("\r\n")), id=stable_id("il", created, user),
                creator=user, platform="instagram", created_at=created)


def _post_items(doc: Document, options: ReadOptions, stem: str, folder_user: str | None
                ) -> Iterator[Item]:
    if doc.path.endswith(".txt"):
        text = doc.whole(Text("a caption"), MAX_DRAFT_CHARS)
        yield convert_record(text, doc.name, Text("line {number}", number=1),
                             lambda value, _opts: _caption_post(value, stem, folder_user), options)
        return
    with doc.text(Text("instaloader JSON")) as stream:
        yield from read_json(stream, doc.name, options,
                             lambda record, opts: convert(record, opts, folder_user))


def _folder_user(folder: str, tree: Tree) -> str | None:
    name = folder.rstrip("/") or tree.name.rstrip("/\\")
    name = re.split(r"[/\\]", name)[-1]
    return name.removesuffix(".zip") or None


def read_tree(tree: Tree, root: str, options: ReadOptions) -> Iterator[Item]:
    """One folder per profile; its totals are kept per folder, not per post file."""
    chosen: dict[tuple[str, str], Member] = {}  # per post: the JSON if there is one, else the .txt
    for member in tree.find(POST_FILE, root):
        found = _STEM_RE.match(member.path)
        if not found:
            continue
        key = (found["folder"], found["stem"])
        if key not in chosen or chosen[key].path.endswith(".txt"):
            chosen[key] = member
    opened: set[str] = set()
    for (folder, stem), member in chosen.items():
        group = tree.display_folder(folder.rstrip("/"))
        if group not in opened:
            opened.add(group)
            yield Opened(group, NAME)
        doc = tree.document(member)
        for item in guarded(doc.name, _post_items(doc, options, stem, _folder_user(folder, tree)),
                            doc):
            if isinstance(item, Post):
                item.file = group
            elif isinstance(item, Skip):
                item = replace(item, file=group, position=Text("{member} {position}",
                                                               member=member.path,
                                                               position=item.position))
            yield item


FORMAT = InputFormat(
    name=NAME,
    title=Text("instaloader download folders (.txt captions, .json.xz metadata)"),
    hand_in=Text("the profile folder instaloader wrote (or a zip of it)"),
    read_tree=read_tree,  # no read_file: a post's .txt and .json are paired within a folder
    # the root is the folder the post file is in (greedy), so each profile folder is its own
    markers=(Marker(50, re.compile(rf"(?P<root>(?:.*/)?){STEM}\.(?:txt|json|json\.xz)",
                                   re.IGNORECASE)),),
    # recognised alone only to say that it is read as a folder
    json_signatures=(JsonSignature(40, all_of=keys("node", "instaloader")),),
)
