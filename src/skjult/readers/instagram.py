"""Instagram "Download your information" (JSON), every layout generation:

- 2018–2020: ``media.json`` (``photos``/``videos``/``stories`` with ``caption``, ``taken_at``, ``path``)
- 2021–2023: ``content/posts_N.json``, ``reels.json``, ``stories.json``, ``archived_posts.json``
- 2024: the same under ``your_instagram_activity/content/``; 2025+: ``your_instagram_activity/media/``

Single-media posts carry the caption on ``media[0].title``; carousels on the post's ``title``.
The export has no post id or link, so ids are derived from the time and the first media URI.
The account is the same for every post: ``personal_information.json``, else ``signup_details.json``,
else the export's folder name, else legacy ``profile.json``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from typing import Any

from skjult.i18n import Text
from skjult.items import Opened
from skjult.model import Post
from skjult.readers.base import Item, ReadOptions, caption_of, dig, from_unix, guarded, iso_time, stable_id
from skjult.readers.document import Document
from skjult.readers.errors import InputError, RecordError
from skjult.readers.format import InputFormat, JsonSignature, Marker, below_root, keys
from skjult.readers.generic import read_json, wrapped_lists
from skjult.readers.limits import MAX_RECORD_CHARS
from skjult.readers.meta import name_from_folder, repair
from skjult.readers.tree import Member, Tree

NAME = "instagram"
# Content files under an export root, by generation; the part in brackets is what kind of post.
CONTENT = (r"(?:your_instagram_activity/)?(?:content|media)/"
           r"(?:posts_\d+|reels|stories|archived_posts|igtv_videos)\.json")
LEGACY = r"media\.json"
LEGACY_KEYS = ("photos", "videos", "stories")  # not "direct": those are messages
HTML = r"(?:your_instagram_activity/)?(?:content|media)/posts_\d+\.html"
PROFILE_FILES = (
    ("personal_information/personal_information/personal_information.json",
     ("profile_user", 0, "string_map_data", "Username", "value")),
    ("security_and_login_information/login_and_profile_creation/signup_details.json",
     ("account_history_registration_info", 0, "string_map_data", "Username", "value")),
)


def convert(record: Any, options: ReadOptions, username: str | None = None) -> Post:
    """One post, reel, story or archived post (already repaired) as a ``Post``."""
    if not isinstance(record, dict):
        raise RecordError(Text("expected an object, got {type}", type=type(record).__name__))
    media: list[Any] = record["media"] if isinstance(record.get("media"), list) else []
    if "taken_at" in record or "path" in record:  # legacy media.json
        text = caption_of(record.get("caption"))
        return Post(text=text, id=stable_id("ig", record.get("taken_at"), record.get("path")),
                    creator=username, platform=NAME, created_at=iso_time(record.get("taken_at")))
    title = record.get("title") or next((m.get("title") for m in media
                                         if isinstance(m, dict) and m.get("title")), "")
    if not media and "uri" not in record and "title" not in record:
        raise RecordError(Text("neither media nor title: not an Instagram post"))
    first = media[0] if media and isinstance(media[0], dict) else record
    timestamp = record.get("creation_timestamp") or first.get("creation_timestamp")
    text = caption_of(title)
    return Post(text=text, id=stable_id("ig", timestamp, first.get("uri")), creator=username,
                platform=NAME, created_at=from_unix(timestamp))


def _meta_json(doc: Document) -> Any:
    text = doc.whole("JSON", MAX_RECORD_CHARS)
    try:
        return repair(json.loads(text))
    except json.JSONDecodeError as exc:
        raise InputError(doc.name, Text("invalid JSON at line {line}: {error}", line=exc.lineno,
                                        error=exc.msg)) from None
    except RecursionError:
        raise InputError(doc.name, Text("nested too deeply to read")) from None


def username(tree: Tree, root: str) -> str | None:
    for path, where in PROFILE_FILES:
        for member in tree.find(path, root):
            try:
                found = dig(_meta_json(tree.document(member)), *where)
            except InputError:
                continue
            if found:
                return str(found)
    from_name = name_from_folder(f"{tree.name}/{root}", "instagram")
    if from_name:
        return from_name
    for member in tree.find("profile.json", root):
        try:
            found = dig(_meta_json(tree.document(member)), "username")
        except InputError:
            continue
        if found:
            return str(found)
    return None


def read_file(doc: Document, options: ReadOptions, user: str | None = None) -> Iterator[Item]:
    """One content file; a folder-less file gets its account from ``--creator`` or its path."""
    user = user or name_from_folder(doc.name, "instagram")
    legacy = doc.basename.lower() == "media.json"
    select = wrapped_lists(LEGACY_KEYS) if legacy else wrapped_lists(any_key=True)
    yield Opened(doc.name, NAME)
    with doc.text(Text("Instagram export JSON")) as stream:
        yield from read_json(stream, doc.name, options,
                             lambda record, opts: convert(repair(record), opts, user), select=select)


def read_tree(tree: Tree, root: str, options: ReadOptions) -> Iterator[Item]:
    user = username(tree, root)
    files = tree.find(CONTENT, root) or tree.find(LEGACY, root)
    for member in files:
        doc = tree.document(member)
        yield from guarded(doc.name, read_file(doc, options, user), doc)


def _beside_profile(tree: Tree, member: Member, root: str, paths: AbstractSet[str]) -> bool:
    """A 2018–2020 media.json is an Instagram export only with the export's profile.json beside
    it: the name alone is too common to claim a folder by."""
    return f"{root}profile.json".lower() in paths


FORMAT = InputFormat(
    name=NAME,
    title=Text("Instagram \"Download your information\" export (JSON), every generation"),
    hand_in=Text("the .zip as downloaded, its unpacked folder, or one content/posts_1.json"),
    read_file=read_file,
    read_tree=read_tree,
    # the legacy layout last: it is tried only where no newer export's file is found
    markers=(Marker(10, below_root(CONTENT)),
             Marker(90, below_root(LEGACY), confirm=_beside_profile)),
    html=below_root(HTML),
    json_signatures=(
        JsonSignature(20, any_of=keys("ig_reels_media", "ig_stories", "ig_archived_post_media",
                                      "ig_igtv_media", "ig_other_media", "ig_profile_picture")),
        JsonSignature(20, all_of=(re.compile(r'"media"\s*:\s*\['),
                                  *keys("creation_timestamp", "uri"))),
        JsonSignature(20, all_of=keys("photos", "taken_at")),
    ),
)
