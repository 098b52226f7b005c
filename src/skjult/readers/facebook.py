"""Facebook "Download your information" (JSON): the posts files of every generation,
``posts/your_posts_N.json`` (old), ``your_activity_across_facebook/posts/...`` (~2023) and
``your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_N.json`` (2024+).

The text is every ``data[].post`` joined, else the attachments' media descriptions or texts.
Entries without text (profile-picture changes, shares, check-ins) are skipped and counted as such.
The author is ``profile_information.json``'s full name, else the export's folder name, else the
entry's title sentence ("Jana Kovač updated her status.")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from skjult.i18n import Text
from skjult.items import Opened
from skjult.model import Post
from skjult.readers.base import Item, ReadOptions, dig, from_unix, guarded, stable_id
from skjult.readers.document import Document
from skjult.readers.errors import InputError, NoText, RecordError
from skjult.readers.format import InputFormat, JsonSignature, Marker, below_root, keys
from skjult.readers.generic import read_json, wrapped_lists
from skjult.readers.limits import MAX_RECORD_CHARS
from skjult.readers.meta import name_from_folder, repair
from skjult.readers.tree import Tree

NAME = "facebook"
CONTENT = (r"(?:your_facebook_activity/|your_activity_across_facebook/)?posts/"
           r"your_posts(?:__check_ins__photos_and_videos)?_\d+\.json")
HTML = (r"(?:your_facebook_activity/|your_activity_across_facebook/)?posts/"
        r"your_posts(?:__check_ins__photos_and_videos)?_\d+\.html")
PROFILE = r"(?:personal_information/)?profile_information/profile_information\.json"
# "Jana Kovač updated her status." / "... shared a link." / "... was at Café Nord."
_TITLE_AUTHOR = re.compile(r"^(.+?) (?:updated|shared|was|posted|added|wrote|is|checked|changed)\b")


def _attachment_texts(record: dict[str, Any]) -> list[str]:
    texts: list[str] = []
    for attachment in record.get("attachments") or []:
        for item in dig(attachment, "data") or []:
            if not isinstance(item, dict):
                continue
            for value in (dig(item, "media", "description"), item.get("text")):
                if isinstance(value, str) and value.strip() and value not in texts:
                    texts.append(value)
    return texts


def convert(record: Any, options: ReadOptions, author: str | None = None) -> Post:
    if not isinstance(record, dict):
        raise RecordError(Text("expected an object, got {type}", type=type(record).__name__))
    posts = [d["post"] for d in record.get("data") or []
             if isinstance(d, dict) and isinstance(d.get("post"), str) and d["post"].strip()]
    text = "\n".join(posts) if posts else "\n".join(_attachment_texts(record))
    title = record.get("title")
    if not text.strip():
        raise NoText(Text("no text (not a post with words: {title})", title=title)
                     if isinstance(title, str) and title else Text("no text (not a post with words)"))
    if author is None and isinstance(title, str):
        found = _TITLE_AUTHOR.match(title)
        author = found.group(1) if found else None
    timestamp = record.get("timestamp")
    return Post(text=text, id=stable_id("fb", timestamp, text), creator=author, platform=NAME,
                created_at=from_unix(timestamp))


def author(tree: Tree, root: str) -> str | None:
    for member in tree.find(PROFILE, root):
        try:
            data = repair(json.loads(tree.document(member).whole("JSON", MAX_RECORD_CHARS)))
        except (InputError, json.JSONDecodeError, RecursionError):
            continue
        name = dig(data, "profile_v2", "name", "full_name")
        if name:
            return str(name)
    return name_from_folder(f"{tree.name}/{root}", "facebook")


def read_file(doc: Document, options: ReadOptions, user: str | None = None) -> Iterator[Item]:
    user = user or name_from_folder(doc.name, "facebook")
    yield Opened(doc.name, NAME)
    with doc.text(Text("Facebook export JSON")) as stream:
        yield from read_json(stream, doc.name, options,
                             lambda record, opts: convert(repair(record), opts, user),
                             select=wrapped_lists(any_key=True))


def read_tree(tree: Tree, root: str, options: ReadOptions) -> Iterator[Item]:
    user = author(tree, root)
    for member in tree.find(CONTENT, root):
        doc = tree.document(member)
        yield from guarded(doc.name, read_file(doc, options, user), doc)


FORMAT = InputFormat(
    name=NAME,
    title=Text("Facebook \"Download your information\" export (JSON)"),
    hand_in=Text("the .zip as downloaded, its unpacked folder, or one your_posts_1.json"),
    read_file=read_file,
    read_tree=read_tree,
    markers=(Marker(20, below_root(CONTENT)),),
    html=below_root(HTML),
    # the first JSON signature tried: it needs three things, Instagram's first needs one
    json_signatures=(JsonSignature(10, all_of=(re.compile(r'"timestamp"\s*:'),
                                               re.compile(r'"data"\s*:\s*\[')),
                                   any_of=keys("post", "attachments", "update_timestamp")),),
)
