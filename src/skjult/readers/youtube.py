"""YouTube: Google Takeout's ``video metadata/videos.csv`` (with ``channels/channel.csv`` for the
channel's name) and Data API v3 ``videos`` resources (``{"items": [...]}`` or one per line).

The checked text is the title, a blank line and the description; findings say which of the two
they are in (``Post.parts``). Takeout columns come and go and folder names are localised, so
columns are found by header name, case-insensitively, and files by their header."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from skjult.i18n import Text
from skjult.items import Opened, Skip
from skjult.model import Post
from skjult.readers.base import Item, ReadOptions, apply_flags, dig, guarded, iso_time
from skjult.readers.document import Document, file_document
from skjult.readers.errors import InputError, NoText, RecordError
from skjult.readers.format import CsvHeader, InputFormat, JsonSignature, Marker, below_root
from skjult.readers.generic import (
    convert_record,
    csv_header,
    csv_rows,
    header_of,
    read_json,
    read_jsonl,
)
from skjult.readers.tree import Member, Tree

TAKEOUT = "youtube-takeout"
API = "youtube-api"
SEPARATOR = "\n\n"
# Takeout localises folder and file names, so any CSV below the root is looked at by its header.
ANY_CSV = r"(?:.*/)?[^/]+\.csv"


def watch_url(video_id: str | None) -> str | None:
    return f"https://www.youtube.com/watch?v={video_id}" if video_id else None


def video_post(title: Any, description: Any) -> Post:
    """A post whose text is the title and the description, with the parts marked."""
    title = title.strip() if isinstance(title, str) else ""
    description = description if isinstance(description, str) else ""
    if not title and not description.strip():
        raise NoText(Text("no title or description"))
    if not description.strip():
        return Post(text=title, parts=(("title", 0),))
    if not title:
        return Post(text=description, parts=(("description", 0),))
    return Post(text=title + SEPARATOR + description,
                parts=(("title", 0), ("description", len(title) + len(SEPARATOR))))


def _column(row: Mapping[str, str], *names: str) -> str | None:
    lowered = {k.lower(): v for k, v in row.items() if k}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return value
    return None


def is_videos_header(header: list[str]) -> bool:
    lowered = {h.lower() for h in header}
    return "video id" in lowered and any(h.startswith("video title") for h in lowered)


def is_channel_header(header: list[str]) -> bool:
    lowered = {h.lower() for h in header}
    return "channel id" in lowered and any(h.startswith("channel title") for h in lowered)


def convert_takeout(row: Mapping[str, str], channels: Mapping[str, str]) -> Post:
    post = video_post(_column(row, "Video Title (Original)", "Video Title"),
                      _column(row, "Video Description (Original)", "Video Description"))
    video_id = _column(row, "Video ID")
    channel = _column(row, "Channel ID")
    post.id = video_id
    post.url = watch_url(video_id)
    post.creator = channels.get(channel or "") or channel
    post.platform = "youtube"
    post.created_at = iso_time(_column(row, "Video Publish Timestamp", "Video Create Timestamp"))
    privacy = _column(row, "Privacy")
    if privacy:
        post.flags["privacy"] = privacy
    return post


def read_channels(doc: Document) -> dict[str, str]:
    """Channel id → title; a creator's takeout holds one channel (or a handful)."""
    channels: dict[str, str] = {}
    with doc.text("CSV") as stream:
        for item in csv_rows(stream, doc.name):
            if isinstance(item, Skip):
                continue
            row = item[1]
            cid, title = _column(row, "Channel ID"), _column(row, "Channel Title (Original)",
                                                               "Channel Title")
            if cid and title:
                channels[cid] = title
    return channels


def read_takeout_file(doc: Document, options: ReadOptions,
                      channels: Mapping[str, str] | None = None) -> Iterator[Item]:
    yield Opened(doc.name, TAKEOUT)
    channels = channels or {}
    with doc.text("CSV") as stream:
        if not is_videos_header(csv_header(stream)):
            raise InputError(doc.name, Text("not a YouTube Takeout videos.csv: expected the "
                                            "columns {id:q} and {title:q}", id="Video ID",
                                            title="Video Title (Original)"))
        for item in csv_rows(stream, doc.name):
            if isinstance(item, Skip):
                yield item
                continue
            position, row = item
            yield convert_record(row, doc.name, position,
                                 lambda record, _opts: convert_takeout(record, channels), options)


def _headed(tree: Tree, root: str, pattern: str, test: Any) -> list[Member]:
    found = []
    for member in tree.find(pattern, root):
        try:
            with tree.document(member).text("CSV") as stream:
                if test(csv_header(stream)):
                    found.append(member)
        except (InputError, UnicodeDecodeError, OSError):
            continue
    return found


def read_tree(tree: Tree, root: str, options: ReadOptions) -> Iterator[Item]:
    channels: dict[str, str] = {}
    for member in _headed(tree, root, ANY_CSV, is_channel_header):
        try:
            channels.update(read_channels(tree.document(member)))
        except InputError:
            continue
    for member in _headed(tree, root, ANY_CSV, is_videos_header):
        doc = tree.document(member)
        yield from guarded(doc.name, read_takeout_file(doc, options, channels), doc)


def convert_api(record: Any, options: ReadOptions) -> Post:
    if not isinstance(record, dict) or not isinstance(record.get("snippet"), dict):
        raise RecordError(Text("expected a YouTube video resource with a snippet"))
    snippet = record["snippet"]
    post = video_post(snippet.get("title"), snippet.get("description"))
    video_id = record.get("id")
    if isinstance(video_id, dict):  # search results: {"kind": "youtube#video", "videoId": ...}
        video_id = video_id.get("videoId")
    post.id = str(video_id) if video_id else None
    post.url = watch_url(post.id)
    post.creator = snippet.get("channelTitle") or snippet.get("channelId")
    post.platform = "youtube"
    post.created_at = iso_time(snippet.get("publishedAt"))
    placement = dig(record, "paidProductPlacementDetails", "hasPaidProductPlacement")
    return apply_flags(post, {"hasPaidProductPlacement": placement},
                       paid=("hasPaidProductPlacement",))


def read_api_file(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield Opened(doc.name, API)
    with doc.text(Text("YouTube Data API JSON")) as stream:
        if doc.suffix in (".jsonl", ".ndjson"):
            yield from read_jsonl(stream, doc.name, options, convert_api)
        else:
            yield from read_json(stream, doc.name, options, convert_api)


def read_lone_takeout_file(doc: Document, options: ReadOptions) -> Iterator[Item]:
    """A videos.csv handed in alone: its channel names from ``../channels/channel.csv`` when
    that is on disk beside it."""
    channels: dict[str, str] = {}
    for sibling in ("channels/channel.csv", "channels/Channel.csv"):
        candidate = Path(doc.path).parent.parent / sibling
        if doc.reopenable and candidate.is_file():
            channels = read_channels(file_document(str(candidate)))
            break
    yield from read_takeout_file(doc, options, channels)


def _is_videos_csv(tree: Tree, member: Member, root: str, paths: AbstractSet[str]) -> bool:
    """Takeout localises its folder and file names, so a CSV is its videos.csv by header."""
    try:
        doc = tree.document(member)
        try:
            return is_videos_header(header_of(doc.head()))
        finally:
            doc.close()
    except (InputError, OSError, UnicodeDecodeError):
        return False


def _takeout_header(header: list[str]) -> bool:
    if is_videos_header(header):
        return True
    if is_channel_header(header):  # the Takeout's other CSV, handed in by mistake
        raise ValueError(Text("this is YouTube's channel.csv; hand in video metadata/videos.csv "
                              "or the whole Takeout folder"))
    return False


TAKEOUT_FORMAT = InputFormat(
    name=TAKEOUT,
    title=Text("YouTube in Google Takeout (video metadata CSV)"),
    hand_in=Text("the Takeout .zip or folder, or video metadata/videos.csv"),
    read_file=read_lone_takeout_file,
    read_tree=read_tree,
    # "video metadata/videos.csv" in any language: a CSV one folder below the root
    markers=(Marker(40, below_root(r"[^/]+/[^/]+\.csv"), confirm=_is_videos_csv),),
    csv_header=CsvHeader(10, _takeout_header),
)

API_FORMAT = InputFormat(
    name=API,
    title=Text("YouTube Data API v3 videos resources (JSON)"),
    hand_in=Text("the API's videos.list response, or one video resource per line"),
    read_file=read_api_file,
    json_signatures=(JsonSignature(50, any_of=(re.compile(r'"youtube#video'),
                                               re.compile(r'"snippet"\s*:\s*\{'))),),
)
