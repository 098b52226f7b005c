"""TikTok "Download your data" (JSON): ``user_data_tiktok.json`` (2024+) or ``user_data.json``.

Posts are at ``Post.Posts.VideoList`` (new schema) or ``Video.Videos.VideoList`` (old, sometimes
under ``Activity``); recently deleted posts beside them. The caption is ``Title``; ``"N/A"`` and
empty titles are no caption. ``Date`` has no zone (read as UTC); ``Link`` is an expiring CDN
address, not the post's page, so ids are derived from the date and the caption.
The username is in ``Profile`` (``"Profile Info"`` or ``"Profile Information"``)
``.ProfileMap.userName``, which comes after ``Post`` in the file: the file is read twice rather
than held in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from skjult.i18n import Text
from skjult.items import Notice, Opened, Skip
from skjult.model import Post
from skjult.readers.base import (
    DATA_ERRORS,
    Item,
    ReadOptions,
    apply_flags,
    caption_of,
    guarded,
    iso_time,
    skip_for,
    stable_id,
)
from skjult.readers.document import Document
from skjult.readers.errors import NoText, RecordError
from skjult.readers.format import InputFormat, JsonSignature, Marker, below_root, keys
from skjult.readers.generic import finish, stream_items
from skjult.readers.jsonstream import Path, Want
from skjult.readers.tree import Tree

NAME = "tiktok"
EXPECTED = Text("TikTok export JSON")
POST_LISTS: tuple[Path, ...] = (
    ("Post", "Posts", "VideoList"),
    ("Video", "Videos", "VideoList"),
    ("Activity", "Video", "Videos", "VideoList"),
    ("Post", "Recently Deleted Posts", "PostList"),
    ("Video", "RecentlyDeletedPosts", "PostList"),
)
PROFILES: tuple[Path, ...] = (
    ("Profile", "Profile Info", "ProfileMap"),
    ("Profile", "Profile Information", "ProfileMap"),
    ("Profile And Settings", "Profile Info", "ProfileMap"),
)
FILES = r"user_data(?:_tiktok)?\.json"


def _selector(targets: tuple[Path, ...], want: Want) -> Any:
    prefixes = {t[:n] for t in targets for n in range(len(t))}

    def select(path: Path) -> Want:
        if path in targets:
            return want
        return Want.DESCEND if path in prefixes else Want.NOTHING

    return select


def convert(record: Any, options: ReadOptions, user: str | None, deleted: bool) -> Post:
    if not isinstance(record, dict):
        raise RecordError(Text("expected an object, got {type}", type=type(record).__name__))
    title = record.get("Title", record.get("title", record.get("Description")))
    text = caption_of(title)
    date = record.get("Date") or record.get("date")
    link = str(record.get("Link") or record.get("link") or "").split("?", 1)[0]
    post = Post(text=text, id=stable_id("tt", date, link, text), creator=user, platform=NAME,
                created_at=iso_time(date))
    flags = {"ContentDisclosure": record.get("ContentDisclosure")}
    if deleted:
        flags["deleted"] = True
    return apply_flags(post, flags, paid=("ContentDisclosure",))


def username(doc: Document) -> str | None:
    with doc.text(EXPECTED) as stream:
        for item in stream_items(stream, doc.name, _selector(PROFILES, Want.VALUE)):
            if not isinstance(item, Skip) and isinstance(item[2], dict):
                name = item[2].get("userName") or item[2].get("username")
                if name:
                    return str(name)
    return None


def read_file(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield Opened(doc.name, NAME)
    user = options.defaults.get("creator") or (username(doc) if doc.reopenable else None)
    captions = empty = 0
    with doc.text(EXPECTED) as stream:
        for item in stream_items(stream, doc.name, _selector(POST_LISTS, Want.ITEMS)):
            if isinstance(item, Skip):
                yield item
                continue
            path, position, record = item
            try:
                post = finish(convert(record, options, user, deleted="PostList" in path),
                              doc.name, position, options)
            except DATA_ERRORS as exc:
                empty += isinstance(exc, NoText)
                yield skip_for(exc, doc.name, position)
                continue
            captions += 1
            yield post
    if empty and not captions:
        yield Notice(doc.name, Text("all {count:n} posts have an empty caption ({na:q}); this "
                                    "TikTok export may not include descriptions — check the posts "
                                    "with a scraper export (e.g. Apify's TikTok scraper) instead",
                                    count=empty, na="N/A"))


def read_tree(tree: Tree, root: str, options: ReadOptions) -> Iterator[Item]:
    for member in tree.find(FILES, root):
        doc = tree.document(member)
        yield from guarded(doc.name, read_file(doc, options), doc)


FORMAT = InputFormat(
    name=NAME,
    title=Text("TikTok \"Download your data\" export (JSON)"),
    hand_in=Text("user_data_tiktok.json (or user_data.json), alone or in its .zip"),
    read_file=read_file,
    read_tree=read_tree,
    # the export is one file, so it claims only itself, not the folder it lies in
    markers=(Marker(30, below_root(FILES), claims=False),),
    json_signatures=(JsonSignature(30, any_of=keys("VideoList", "ProfileMap", "Ads and data",
                                                   "App Settings", "Direct Message",
                                                   "Your Activity")),),
)
